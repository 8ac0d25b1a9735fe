/** Word lists the generators build names from (fictional companies and people). */

export const SURNAMES = [
  'Wang',
  'Li',
  'Zhang',
  'Liu',
  'Chen',
  'Yang',
  'Huang',
  'Zhao',
  'Wu',
  'Zhou',
  'Xu',
  'Sun',
  'Ma',
  'Zhu',
  'Hu',
  'Guo',
  'He',
  'Lin',
  'Luo',
  'Gao',
] as const;

export const GIVEN_NAMES = [
  'Wei',
  'Fang',
  'Na',
  'Min',
  'Jing',
  'Lei',
  'Qiang',
  'Jun',
  'Yan',
  'Tao',
  'Ming',
  'Chao',
  'Xiu',
  'Hui',
  'Bo',
  'Ning',
  'Yu',
  'Peng',
  'Hong',
  'Dan',
] as const;

export const COMPANY_PREFIXES = [
  'Aurora',
  'Beacon',
  'Cedar',
  'Delta',
  'Evergreen',
  'Falcon',
  'Golden Bay',
  'Harbor',
  'Ironwood',
  'Jade River',
  'Keystone',
  'Lotus',
  'Meridian',
  'Nova',
  'Orchid',
  'Pinnacle',
  'Quantum',
  'Redwood',
  'Summit',
  'Tianyi',
  'Unity',
  'Vertex',
  'Willow',
  'Xinghe',
  'Yangtze',
] as const;

/** Company name endings with the industry they suggest. */
export const COMPANY_SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['Machinery', 'manufacturing'],
  ['Precision Parts', 'manufacturing'],
  ['Electric', 'manufacturing'],
  ['Retail', 'retail'],
  ['Supermarkets', 'retail'],
  ['Fashion', 'retail'],
  ['Software', 'technology'],
  ['Networks', 'technology'],
  ['Data Systems', 'technology'],
  ['Capital', 'finance'],
  ['Securities', 'finance'],
  ['Clinics', 'healthcare'],
  ['Pharma', 'healthcare'],
  ['Academy', 'education'],
  ['Learning', 'education'],
  ['Logistics', 'other'],
  ['Foods', 'other'],
];

export const CITIES = [
  'Shanghai',
  'Beijing',
  'Shenzhen',
  'Guangzhou',
  'Hangzhou',
  'Chengdu',
  'Nanjing',
  'Wuhan',
  'Suzhou',
  "Xi'an",
  'Tianjin',
  'Qingdao',
] as const;

export const JOB_TITLES = [
  'Purchasing manager',
  'Operations director',
  'CFO',
  'CTO',
  'IT manager',
  'General manager',
  'Plant manager',
  'Procurement specialist',
] as const;

export const LOST_REASONS = [
  'Price too high',
  'Chose a competitor',
  'No budget this year',
  'Project postponed',
  'Went with an in-house team',
] as const;

export const CASE_SUBJECTS = [
  'Cannot log in to the portal',
  'Invoice amount does not match the order',
  'Device shows error E42',
  'Request for on-site training',
  'Delivery arrived damaged',
  'How to export monthly reports',
  'Licence renewal question',
  'Slow response of the system',
  'Spare part needed urgently',
  'Change of billing address',
] as const;

export const ACTIVITY_SUBJECTS = [
  'Discovery call',
  'Product demo',
  'Send proposal',
  'Price negotiation meeting',
  'Site visit',
  'Follow-up e-mail',
  'Reference call with a customer',
  'Contract review',
] as const;

export const CAMPAIGNS: ReadonlyArray<readonly [string, string]> = [
  ['Spring trade show', 'trade_show'],
  ['Partner summit', 'event'],
  ['Smart factory roadshow', 'event'],
  ['Product launch webinar', 'webinar'],
  ['Search ads', 'ads'],
  ['Autumn newsletter', 'email'],
  ['Customer day', 'event'],
  ['Retail innovation forum', 'trade_show'],
  ['Year-end promotion', 'email'],
  ['Healthcare IT seminar', 'webinar'],
];

export const person = (i: number): [string, string] => [
  SURNAMES[i % SURNAMES.length]!,
  GIVEN_NAMES[Math.floor(i / SURNAMES.length + i * 7) % GIVEN_NAMES.length]!,
];
