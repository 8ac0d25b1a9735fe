/**
 * The table-driven probe (issue 18): every operation of the running server's OpenAPI document
 * (`GET /api/openapi.json`, plugins loaded) is called with each kind of session — a tenant admin, a
 * row-scoped user, a user without grants, and another tenant's admin — with real ids of tenant A
 * substituted, and must answer exactly the expected status. No answer to anyone but tenant A's
 * admin may carry the marker stored in a hidden field, and nothing answers 5xx.
 *
 * The table below says how to call each operation and what each session gets. An operation of the
 * document without an entry fails the probe (as does an entry without an operation): a new route is
 * covered from the day it is added, never silently skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  type ApiResponse,
  createTestTenant,
  startTestServer,
  type TestServer,
  type TestTenant,
} from '../support';
import { docxOf, docxParagraph } from '../support/docx';
import { pngOf } from '../support/png';

const MARKER = 'okapi-hidden-4471';
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

type Role = 'none' | 'scoped' | 'foreign' | 'admin';
/** Sessions are probed in this order: the admin, whose calls may change things, last. */
const ROLES: readonly Role[] = ['none', 'scoped', 'foreign', 'admin'];
type Want = number | readonly number[];
interface Expect {
  /** Tenant A's admin. */
  admin: Want;
  /** A user whose role reads and changes only their own deals, and not the field holding the marker. */
  scoped: Want;
  /** A user of tenant A without any role. */
  none: Want;
  /** The admin of tenant B (same metadata), with tenant A's ids. */
  foreign: Want;
  /** The scoped user on their own deal (record routes). */
  own?: Want;
}
interface Call {
  params?: Record<string, string>;
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The scoped user's own deal, for `own` (default: a fresh one). */
  ownParams?: Record<string, string>;
}
interface Route {
  expect: Expect;
  call?: (fx: Fixture) => Promise<Call> | Call;
  /** The call ends the session it is made with (logout): each role uses a fresh one. */
  freshSession?: boolean;
}

const everyone = (s: Want, foreign: Want = s): Expect => ({ admin: s, scoped: s, none: s, foreign });
/** Tenant admins only; `foreign` is B's admin acting in B (tenant A's names and ids are unknown there). */
const adminOnly = (admin: Want, foreign: Want = admin): Expect => ({ admin, scoped: 403, none: 403, foreign });
/** Platform-admin endpoints: no tenant session opens them. */
const platform: Expect = everyone(401);
/** A record of tenant A's admin: outside the scoped user's rows, unknown to the others (404 as a read). */
const record = (admin: Want, own?: Want): Expect => ({ admin, scoped: 404, none: 404, foreign: 404, own });
/** Object-level routes of `deal`: users who may read it, not the user without grants. */
const readers = (s: Want, foreign: Want = s): Expect => ({ admin: s, scoped: s, none: 404, foreign });

const META_SECTIONS = [
  'objects',
  'roles',
  'workflows',
  'scripts',
  'forms',
  'views',
  'reports',
  'dashboards',
  'automations',
  'surveys',
  'webForms',
  'segments',
];

const ROUTES: Record<string, Route> = {
  'GET /api/health': { expect: everyone(200) },
  'POST /api/tenants': {
    expect: platform,
    call: () => ({
      body: { id: 'probe_never', name: 'x', admin: { email: 'a@probe.test', password: 'long password 1', name: 'A' } },
    }),
  },
  'GET /api/tenants': { expect: platform },
  'DELETE /api/tenants/{id}': { expect: platform, call: (fx) => ({ query: { confirm: fx.tenantA.id } }) },
  'GET /api/tenants/{id}/script-limits': { expect: platform },
  'PUT /api/tenants/{id}/script-limits': { expect: platform, call: () => ({ body: {} }) },
  'GET /api/tenants/{id}/inbound-email': { expect: platform },
  'PUT /api/tenants/{id}/inbound-email': { expect: platform, call: () => ({ body: { addresses: [] } }) },

  'POST /api/auth/login': {
    expect: everyone(200),
    call: (fx) => ({ body: { tenant: fx.tenantA.id, email: fx.scopedUser.email, password: fx.scopedUser.password } }),
  },
  'POST /api/auth/logout': { expect: everyone(204), freshSession: true },
  'GET /api/auth/me': { expect: everyone(200) },
  'PATCH /api/auth/me': { expect: everyone(200), call: () => ({ body: { locale: 'zh-CN' } }) },

  'GET /api/users': { expect: everyone(200) },
  // Searched for the hidden marker itself: only a reader of the hidden field may find it by it.
  'GET /api/search': { expect: everyone(200), call: () => ({ query: { q: MARKER } }) },
  'POST /api/users': {
    expect: adminOnly(201),
    call: () => ({
      body: {
        email: `probe.${Math.random().toString(36).slice(2)}@probe.test`,
        name: 'P',
        password: 'long password 1',
      },
    }),
  },
  'GET /api/users/{id}': { expect: { admin: 200, scoped: 404, none: 404, foreign: 404 } },
  'PATCH /api/users/{id}': { expect: adminOnly(200, 404), call: () => ({ body: { name: 'Admin' } }) },
  'DELETE /api/users/{id}': {
    expect: adminOnly(200, 404),
    call: async (fx) => ({ params: { id: await fx.throwawayUser() } }),
  },

  'GET /api/users/settings': { expect: adminOnly(200) },
  'POST /api/users/invite': {
    expect: adminOnly(201),
    call: () => ({ body: { email: `probe.${Math.random().toString(36).slice(2)}@probe.test`, name: 'P' } }),
  },
  'POST /api/users/import': {
    expect: adminOnly(201),
    call: () => ({
      body: { users: [{ email: `probe.${Math.random().toString(36).slice(2)}@probe.test`, name: 'P' }] },
    }),
  },
  'POST /api/users/{id}/reset-password': {
    expect: adminOnly(200, 404),
    call: async (fx) => ({ params: { id: await fx.throwawayUser() } }),
  },
  'GET /api/users/{id}/sessions': { expect: adminOnly(200, 404) },
  'DELETE /api/users/{id}/sessions': {
    expect: adminOnly(200, 404),
    call: async (fx) => ({ params: { id: await fx.throwawayUser() } }),
  },
  'DELETE /api/users/{id}/sessions/{session}': {
    expect: adminOnly(404),
    call: async (fx) => ({ params: { id: await fx.throwawayUser(), session: 'f'.repeat(32) } }),
  },
  // Public: the link's token is the credential; a made-up one is refused whoever asks.
  'POST /api/auth/invitation': {
    expect: everyone(401),
    call: (fx) => ({ body: { token: `${fx.tenantA.id}.${'x'.repeat(43)}`, password: 'long password 1' } }),
  },

  'GET /api/meta': { expect: adminOnly(200) },
  'GET /api/meta/app': { expect: everyone(200) },
  'POST /api/meta/scripts/{name}/test': {
    expect: adminOnly(200, 404),
    call: () => ({ params: { name: 'touch' }, body: { record: { name: 'x' } } }),
  },
  'POST /api/meta/plan': { expect: adminOnly(200), call: () => ({ body: {} }) },
  'POST /api/meta/apply': { expect: adminOnly(200), call: () => ({ body: {} }) },
  'GET /api/meta/history': { expect: adminOnly(200) },
  'GET /api/meta/history/{version}': { expect: adminOnly(200), call: () => ({ params: { version: '1' } }) },
  'POST /api/meta/history/{version}/revert/plan': {
    expect: adminOnly(404),
    call: () => ({ params: { version: '99999' } }),
  },
  'POST /api/meta/history/{version}/revert': { expect: adminOnly(404), call: () => ({ params: { version: '99999' } }) },
  'GET /api/meta/export': { expect: adminOnly(200) },
  'GET /api/meta/types': { expect: adminOnly(200) },
  'GET /api/meta/workflow-node-types': { expect: adminOnly(200) },
  'POST /api/meta/indexes/repair': { expect: adminOnly(200) },
  'GET /api/meta/effective-permissions': {
    expect: adminOnly(200, 404),
    call: (fx) => ({ query: { user: fx.scopedUser.id } }),
  },
  'POST /api/meta/workflows/{name}/simulate': {
    expect: adminOnly(200, 404),
    call: () => ({ params: { name: 'review' }, body: { record: { name: 'x', amount: 1 } } }),
  },
  ...Object.fromEntries(
    META_SECTIONS.flatMap((section) => [
      // An invalid body: the admin gets 400 (nothing changes), everyone else 403 before the body is read.
      [
        `PUT /api/meta/${section}/{name}`,
        { expect: adminOnly(400), call: () => ({ params: { name: 'zz_probe' }, body: [] }) },
      ],
      [
        `DELETE /api/meta/${section}/{name}`,
        { expect: adminOnly(404), call: () => ({ params: { name: 'zz_probe' } }) },
      ],
    ]),
  ),

  // Public web forms need no session: every caller gets the same 404 for a form that does not exist
  // (tests/api/public-forms.test.ts covers real forms and their abuse limits).
  // The ALTCHA widget script for plain forms on other sites: the same public file for everyone.
  'GET /api/public/forms/widget.js': { expect: everyone(200) },
  'GET /api/public/forms/{tenant}/{form}': {
    expect: everyone(404),
    call: (fx) => ({ params: { tenant: fx.tenantA.id, form: 'zz_probe' } }),
  },
  'GET /api/public/forms/{tenant}/{form}/challenge': {
    expect: everyone(404),
    call: (fx) => ({ params: { tenant: fx.tenantA.id, form: 'zz_probe' } }),
  },
  'POST /api/public/forms/{tenant}/{form}': {
    expect: everyone(404),
    call: (fx) => ({ params: { tenant: fx.tenantA.id, form: 'zz_probe' }, body: { name: 'Probe' } }),
  },

  'GET /api/templates': { expect: adminOnly(200) },
  'POST /api/templates/{name}/plan': { expect: adminOnly(404), call: () => ({ params: { name: 'zz_probe' } }) },
  'POST /api/templates/{name}/apply': {
    expect: adminOnly(404),
    call: () => ({ params: { name: 'zz_probe' }, body: {} }),
  },

  'GET /api/records/{object}': { expect: readers(200) },
  'POST /api/records/{object}': { expect: readers(201), call: () => ({ body: { name: 'Probe' } }) },
  'GET /api/records/{object}/{id}': { expect: record(200, 200) },
  'PATCH /api/records/{object}/{id}': { expect: record(200, 200), call: () => ({ body: { name: 'Renamed' } }) },
  'DELETE /api/records/{object}/{id}': { expect: record(204, 204) },
  'POST /api/records/{object}/{id}/restore': {
    expect: record(200, 200),
    call: async (fx) => ({
      params: { id: await fx.deal({ deleted: true }) },
      ownParams: { id: await fx.deal({ deleted: true, own: true }) },
    }),
  },
  'POST /api/records/{object}/{id}/purge': {
    // Purging is for tenant admins whatever the record: refused before it is looked up, so it tells nothing.
    expect: { admin: 204, scoped: 403, none: 403, foreign: 404, own: 403 },
    call: async (fx) => ({
      params: { id: await fx.deal({ deleted: true }) },
      ownParams: { id: await fx.deal({ deleted: true, own: true }) },
    }),
  },
  'GET /api/records/{object}/{id}/history': { expect: record(200, 200) },
  'GET /api/records/{object}/{id}/timeline': { expect: record(200, 200) },
  // The probe's deal has no line items: the field is unknown to everyone, and says nothing about the record.
  'GET /api/records/{object}/{id}/lines/{field}/export': {
    expect: record(404, 404),
    call: () => ({ params: { field: 'zz_probe' } }),
  },
  // Unlocking is for tenant admins: others learn nothing of a record they cannot read (404) and are
  // refused on their own (403); this deal is not locked (409).
  'POST /api/records/{object}/{id}/unlock': {
    expect: record(409, 403),
    call: () => ({ body: { reason: 'probe' } }),
  },
  'POST /api/records/{object}/{id}/actions/{script}': {
    expect: record(200, 200),
    call: () => ({ params: { script: 'touch' }, body: {} }),
  },
  'GET /api/records/{object}/{id}/shares': { expect: record(200, 200) },
  'POST /api/records/{object}/{id}/shares': {
    expect: record(201, 201),
    call: () => ({ body: { role: 'reader', level: 'read' } }),
  },
  'DELETE /api/records/{object}/{id}/shares/{share}': {
    expect: record(204),
    call: async (fx) => {
      const id = await fx.deal();
      return { params: { id, share: await fx.share(id) } };
    },
  },
  'GET /api/records/{object}/{id}/access': { expect: record(200, 200) },
  'POST /api/records/{object}/{id}/submit': { expect: record(201, 201), call: () => ({ body: {} }) },
  'GET /api/records/{object}/{id}/approvals': { expect: record(200, 200) },
  'GET /api/records/{object}/{id}/print/{template}': {
    expect: record(200, 200),
    call: () => ({ params: { template: 'summary' } }),
  },
  'GET /api/records/{object}/{id}/docx/{template}': {
    expect: record(200, 200),
    call: () => ({ params: { template: 'letter' } }),
  },
  'GET /api/records/{object}/{id}/files': { expect: record(200, 200) },
  // No inbound address receives deals: the question answers {receives: false}, a reply 400, and
  // who may not see the deal gets 404 for both.
  'GET /api/records/{object}/{id}/reply': { expect: record(200, 200) },
  'POST /api/records/{object}/{id}/reply': { expect: record(400, 400), call: () => ({ body: { body: 'probe' } }) },
  'POST /api/records/{object}/{id}/files': {
    expect: record(201, 201),
    call: () => ({ raw: 'probe', headers: { 'content-type': 'text/plain' }, query: { name: 'probe.txt' } }),
  },
  'GET /api/records/{object}/{id}/files/{file}': {
    expect: record(200),
    call: async (fx) => {
      const id = await fx.deal();
      return { params: { id, file: await fx.file(id) } };
    },
  },
  'DELETE /api/records/{object}/{id}/files/{file}': {
    expect: record(204),
    call: async (fx) => {
      const id = await fx.deal();
      return { params: { id, file: await fx.file(id) } };
    },
  },

  'POST /api/records/{object}/import': {
    expect: readers(200),
    call: () => ({ raw: JSON.stringify([{ name: 'Imported' }]), query: { format: 'json' } }),
  },
  'GET /api/records/{object}/imports': { expect: readers(200) },
  'GET /api/records/{object}/imports/{id}': {
    expect: record(200),
    call: async (fx) => ({ params: { id: await fx.importId() } }),
  },
  'POST /api/records/{object}/imports/{id}/revert': {
    expect: record(200),
    call: async (fx) => ({ params: { id: await fx.importId() } }),
  },
  'GET /api/records/{object}/export': { expect: readers(200) },
  'GET /api/records/{object}/aggregate': { expect: readers(200), call: () => ({ query: { groupBy: 'name' } }) },
  'POST /api/records/{object}/aggregate': { expect: readers(200), call: () => ({ body: { groupBy: ['name'] } }) },
  // Others' records in a selection are refused as "not found", without their label (issue 21).
  'POST /api/records/{object}/bulk': {
    expect: readers(200),
    call: async (fx) => ({ body: { action: 'update', ids: [await fx.deal()], changes: { name: 'Bulk renamed' } } }),
  },
  'POST /api/records/{object}/duplicates': { expect: readers(200), call: () => ({ body: { name: 'x' } }) },
  'POST /api/records/{object}/merge': {
    expect: { admin: 200, scoped: 200, none: 404, foreign: 404 },
    call: () => ({ body: { template: 'summary' } }),
  },

  'GET /api/approvals/inbox': { expect: everyone(200) },
  'GET /api/approvals/instances/{id}': {
    expect: record(200),
    call: async (fx) => ({ params: { id: (await fx.approval()).instance } }),
  },
  'POST /api/approvals/instances/{id}/recall': {
    expect: record(200),
    call: async (fx) => ({ params: { id: (await fx.approval()).instance }, body: {} }),
  },
  'POST /api/approvals/tasks/{task}/approve': {
    expect: record(200),
    call: async (fx) => ({ params: { task: (await fx.approval()).task }, body: {} }),
  },
  'POST /api/approvals/tasks/{task}/reject': {
    expect: record(200),
    call: async (fx) => ({ params: { task: (await fx.approval()).task }, body: { comment: 'no' } }),
  },
  'POST /api/approvals/tasks/{task}/delegate': {
    expect: record(200),
    call: async (fx) => ({ params: { task: (await fx.approval()).task }, body: { to: fx.scopedUser.id } }),
  },
  'GET /api/approvals/links/{token}': { expect: everyone(404), call: () => ({ params: { token: 'not.a.real.link' } }) },
  'POST /api/approvals/links/{token}': {
    expect: everyone(404),
    call: () => ({ params: { token: 'not.a.real.link' }, body: {} }),
  },
  // Public survey pages: the signed link is the only credential; a session changes nothing.
  'GET /api/public/surveys/{token}': { expect: everyone(404), call: () => ({ params: { token: 'not.a.real.link' } }) },
  'POST /api/public/surveys/{token}': {
    expect: everyone(404),
    call: () => ({ params: { token: 'not.a.real.link' }, body: { answers: { rating: 5 } } }),
  },
  'GET /api/approvals/delegations': { expect: everyone(200) },
  'POST /api/approvals/delegations': {
    // Tenant B does not know tenant A's users: the same 400 as for any unknown user.
    expect: { admin: 201, scoped: 201, none: 201, foreign: 400 },
    call: (fx) => ({
      body: { to: fx.readerUser, from: '2030-01-01T00:00:00Z', until: '2030-01-02T00:00:00Z' },
    }),
  },
  'DELETE /api/approvals/delegations/{id}': {
    expect: record(204),
    call: async (fx) => ({ params: { id: await fx.delegation() } }),
  },
  'GET /api/approvals/workflows/{name}/versions': {
    expect: adminOnly(200, 404),
    call: () => ({ params: { name: 'review' } }),
  },
  'POST /api/approvals/workflows/{name}/migrate': {
    expect: adminOnly(200, 404),
    call: () => ({ params: { name: 'review' } }),
  },

  'GET /api/notifications': { expect: everyone(200) },
  'POST /api/notifications/{id}/read': {
    expect: record(204),
    call: async (fx) => ({ params: { id: await fx.notification() } }),
  },
  'POST /api/notifications/read-all': { expect: everyone(200) },
  'GET /api/automations/runs': { expect: adminOnly(200) },
  'POST /api/automations/sweep': { expect: adminOnly(200) },
  'GET /api/automations/action-types': { expect: adminOnly(200) },
  'POST /api/automations/dry-run': {
    expect: adminOnly(404),
    call: () => ({ body: { name: 'zz_probe', record: '00000000-0000-4000-8000-000000000001' } }),
  },

  // Integrations (docs/webhooks.md, docs/api-keys.md). A destination is only ever a private literal
  // here: refused before any lookup or connection.
  'GET /api/admin/webhooks': { expect: adminOnly(200) },
  'POST /api/admin/webhooks': {
    expect: adminOnly(400),
    call: () => ({ body: { name: 'Probe', object: 'deal', events: ['created'], url: 'http://10.0.0.1/' } }),
  },
  'GET /api/admin/webhooks/{id}': { expect: adminOnly(404), call: () => ({ params: { id: NO_SUCH_ID } }) },
  'PATCH /api/admin/webhooks/{id}': {
    expect: adminOnly(404),
    call: () => ({ params: { id: NO_SUCH_ID }, body: { name: 'x' } }),
  },
  'DELETE /api/admin/webhooks/{id}': { expect: adminOnly(404), call: () => ({ params: { id: NO_SUCH_ID } }) },
  'GET /api/admin/webhooks/{id}/deliveries': { expect: adminOnly(404), call: () => ({ params: { id: NO_SUCH_ID } }) },
  'POST /api/admin/webhook-deliveries/{id}/redeliver': {
    expect: adminOnly(404),
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'GET /api/admin/service-accounts': { expect: adminOnly(200) },
  'POST /api/admin/service-accounts': { expect: adminOnly(201), call: () => ({ body: { name: 'Probe robot' } }) },
  'GET /api/admin/api-keys': { expect: adminOnly(200) },
  'POST /api/admin/api-keys': {
    expect: adminOnly(400),
    call: () => ({ body: { serviceAccount: NO_SUCH_ID, name: 'Probe key' } }),
  },
  'DELETE /api/admin/api-keys/{id}': { expect: adminOnly(404), call: () => ({ params: { id: NO_SUCH_ID } }) },

  'GET /api/print-templates': { expect: everyone(200) },
  'GET /api/print-templates/{object}/{name}': {
    expect: { admin: 200, scoped: 200, none: 200, foreign: 404 },
    call: () => ({ params: { name: 'summary' } }),
  },
  'PUT /api/print-templates/{object}/{name}': {
    expect: adminOnly(200),
    call: () => ({ params: { name: 'probe_copy' }, body: { html: '<p>{{name}}</p>' } }),
  },
  'DELETE /api/print-templates/{object}/{name}': {
    expect: adminOnly(404),
    call: () => ({ params: { name: 'zz_probe' } }),
  },
  'POST /api/print-templates/{object}/preview': {
    expect: adminOnly(200, 404),
    call: async (fx) => ({ body: { record: await fx.deal(), html: '<p>{{name}}</p>' } }),
  },
  'POST /api/print-templates/{object}/docx-tags': {
    expect: adminOnly(400),
    call: () => ({ raw: 'not a docx', headers: { 'content-type': 'application/octet-stream' } }),
  },
  'PUT /api/print-templates/{object}/{name}/docx': {
    expect: adminOnly(400),
    call: () => ({
      params: { name: 'probe_docx' },
      raw: 'not a docx',
      headers: { 'content-type': 'application/octet-stream' },
    }),
  },

  'GET /api/document-images': { expect: everyone(200) },
  'GET /api/document-images/{name}': {
    expect: { admin: 200, scoped: 200, none: 200, foreign: 404 },
    call: () => ({ params: { name: 'logo' } }),
  },
  'PUT /api/document-images/{name}': {
    expect: adminOnly(200),
    call: () => ({ params: { name: 'probe_logo' }, raw: pngOf(4, 4), headers: { 'content-type': 'image/png' } }),
  },
  'DELETE /api/document-images/{name}': { expect: adminOnly(404), call: () => ({ params: { name: 'zz_probe' } }) },

  'GET /api/reports': { expect: everyone(200) },
  'POST /api/reports/{name}/run': {
    expect: { admin: 200, scoped: 200, none: 404, foreign: 404 },
    call: () => ({ params: { name: 'by_name' }, body: {} }),
  },
  'POST /api/reports/preview': {
    expect: adminOnly(200),
    call: () => ({
      body: { report: { label: 'Probe', object: 'deal', aggregates: [{ fn: 'count', as: 'n' }], chart: 'table' } },
    }),
  },
  'GET /api/reports/{name}/export.xlsx': {
    expect: { admin: 200, scoped: 200, none: 404, foreign: 404 },
    call: () => ({ params: { name: 'by_name' } }),
  },
  // Saved segments (tests/api/segments.test.ts): definitions through /api/meta/segments.
  'GET /api/segments': { expect: everyone(200) },
  'POST /api/segments/preview': { expect: adminOnly(200), call: () => ({ body: { object: 'deal', filter: {} } }) },
  'GET /api/segments/{name}': {
    expect: { admin: 200, scoped: 200, none: 404, foreign: 404 },
    call: () => ({ params: { name: 'probe_segment' } }),
  },
  'GET /api/segments/{name}/members': {
    expect: { admin: 200, scoped: 200, none: 404, foreign: 404 },
    call: () => ({ params: { name: 'probe_segment' } }),
  },
  'POST /api/segments/{name}/refresh': {
    expect: adminOnly(200, 404),
    call: () => ({ params: { name: 'probe_segment' } }),
  },
  'GET /api/segments/{name}/history': {
    expect: adminOnly(200, 404),
    call: () => ({ params: { name: 'probe_segment' } }),
  },
  'GET /api/dashboards/home': { expect: everyone(200) },
  'GET /api/dashboards': { expect: everyone(200) },
  // Opened by name: tenant A's admin only (its roles are admin); to anyone else it does not exist.
  'GET /api/dashboards/{name}': {
    expect: { admin: 200, scoped: 404, none: 404, foreign: 404 },
    call: () => ({ params: { name: 'probe_board' } }),
  },

  'GET /api/plugins': { expect: everyone(200) },
  'POST /api/plugins/core-crm/leads/{id}/convert': { expect: everyone(404), call: () => ({ body: {} }) },
  // Tenant admins only; this tenant has no RFM scoring (not a core-crm tenant): 404 for its admin.
  'POST /api/plugins/core-crm/rfm/refresh': { expect: adminOnly(404), call: () => ({ body: {} }) },
  'POST /api/plugins/example-feedback/votes': { expect: everyone(201), call: () => ({ body: { score: 9 } }) },
  'GET /api/plugins/example-feedback/nps': { expect: everyone(200) },
  'GET /api/plugins/example-feedback/history': { expect: adminOnly(200) },
  'GET /api/plugins/example-feedback/about': { expect: everyone(200) },

  // The customer portal (docs/portal.md): no staff session opens it; asking for a link always 202.
  'POST /api/portal/{tenant}/login': {
    expect: everyone(202),
    call: (fx) => ({ params: { tenant: fx.tenantA.id }, body: { email: fx.scopedUser.email } }),
  },
  'POST /api/portal/{tenant}/session': {
    expect: everyone(401),
    call: (fx) => ({ params: { tenant: fx.tenantA.id }, body: { token: `${fx.tenantA.id}.${'x'.repeat(43)}` } }),
  },
  'POST /api/portal/{tenant}/logout': { expect: everyone(204), call: (fx) => ({ params: { tenant: fx.tenantA.id } }) },
  'GET /api/portal/{tenant}/me': { expect: everyone(401), call: (fx) => ({ params: { tenant: fx.tenantA.id } }) },
  'GET /api/portal/{tenant}/lists/{object}': {
    expect: everyone(401),
    call: (fx) => ({ params: { tenant: fx.tenantA.id, object: 'deal' } }),
  },
  'GET /api/portal/{tenant}/lists/{object}/{id}': {
    expect: everyone(401),
    call: async (fx) => ({ params: { tenant: fx.tenantA.id, object: 'deal', id: await fx.deal() } }),
  },
  'POST /api/portal/{tenant}/cases': {
    expect: everyone(401),
    call: (fx) => ({ params: { tenant: fx.tenantA.id }, body: { subject: 'probe' } }),
  },
  'GET /api/portal/{tenant}/cases/{id}': {
    expect: everyone(401),
    call: async (fx) => ({ params: { tenant: fx.tenantA.id, id: await fx.deal() } }),
  },
  'POST /api/portal/{tenant}/cases/{id}/comments': {
    expect: everyone(401),
    call: async (fx) => ({ params: { tenant: fx.tenantA.id, id: await fx.deal() }, body: { body: 'probe' } }),
  },
  'POST /api/portal/{tenant}/cases/{id}/files': {
    expect: everyone(401),
    call: async (fx) => ({
      params: { tenant: fx.tenantA.id, id: await fx.deal() },
      raw: 'probe',
      headers: { 'content-type': 'text/plain' },
      query: { name: 'probe.txt' },
    }),
  },
  'GET /api/portal/{tenant}/cases/{id}/files/{file}': {
    expect: everyone(401),
    call: async (fx) => {
      const id = await fx.deal();
      return { params: { tenant: fx.tenantA.id, id, file: await fx.file(id) } };
    },
  },
};

let server: TestServer;
let fx: Fixture;

/** Tenant A's data and how to make fresh pieces of it (as its admin) for one probe. */
interface Fixture {
  tenantA: TestTenant;
  tenantB: TestTenant;
  sessions: Record<Role, ApiClient>;
  login: Record<Role, () => Promise<ApiClient>>;
  scopedUser: { id: string; email: string; password: string };
  /** A user who holds the `reader` role (a delegation target). */
  readerUser: string;
  /** A fresh deal with the marker in its hidden field: the admin's, or the scoped user's (`own`). */
  deal(opts?: { deleted?: boolean; own?: boolean }): Promise<string>;
  file(deal: string): Promise<string>;
  share(deal: string): Promise<string>;
  approval(): Promise<{ instance: string; task: string }>;
  importId(): Promise<string>;
  delegation(): Promise<string>;
  notification(): Promise<string>;
  throwawayUser(): Promise<string>;
}

async function ok<T = any>(r: Promise<ApiResponse<T>>, what: string): Promise<ApiResponse<T>> {
  const res = await r;
  expect(res.status, `${what}: ${res.text}`).toBeLessThan(300);
  return res;
}

/** The same metadata in both tenants, so tenant B's 404s are about ids, not unknown objects. */
async function setUpMetadata(t: TestTenant): Promise<void> {
  const put = (path: string, body: unknown) => ok(t.api.put(path, body), path);
  await put('/api/meta/objects/deal', {
    type: 'object',
    'x-label-field': 'name',
    properties: {
      name: { type: 'string', maxLength: 200 },
      amount: { type: 'number' },
      hidden: { type: 'string', maxLength: 100 },
    },
    required: ['name'],
  });
  await put('/api/meta/roles/scoped', {
    objects: {
      deal: { create: true, read: 'own', update: 'own', delete: 'own', fields: { hidden: 'none' } },
    },
  });
  await put('/api/meta/roles/reader', { objects: { deal: { read: 'all', fields: { hidden: 'none' } } } });
}

beforeAll(async () => {
  // Every route's schemas compiled at start-up, as in production: a broken one fails the probe here.
  server = await startTestServer({ plugins: 'discover', eagerSchemas: true });
  const tenantA = await createTestTenant(server, { prefix: 'probe' });
  const tenantB = await createTestTenant(server, { prefix: 'probe' });
  await setUpMetadata(tenantA);
  await setUpMetadata(tenantB);
  const a = tenantA.api;
  const put = (path: string, body: unknown) => ok(a.put(path, body), path);
  await put('/api/meta/scripts/touch', { object: 'deal', event: 'action', code: "log('touched'); return 1;" });
  await put('/api/meta/workflows/review', {
    object: 'deal',
    label: 'Review',
    trigger: { on: 'submit' },
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
      {
        id: 'check',
        type: 'approval',
        position: { x: 0, y: 100 },
        data: { label: 'Check', approvers: [{ user: tenantA.admin.id }], mode: 'any' },
      },
      { id: 'ok', type: 'end', position: { x: 0, y: 200 }, data: { outcome: 'approved' } },
      { id: 'ko', type: 'end', position: { x: 100, y: 200 }, data: { outcome: 'rejected' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'check' },
      { id: 'e2', source: 'check', target: 'ok', data: { outcome: 'approved' } },
      { id: 'e3', source: 'check', target: 'ko', data: { outcome: 'rejected' } },
    ],
  });
  await put('/api/meta/segments/probe_segment', {
    label: 'Probe segment',
    object: 'deal',
    filter: { amount: { gte: 0 } },
  });
  await put('/api/meta/reports/by_name', {
    label: 'By name',
    object: 'deal',
    chart: 'table',
    groupBy: [{ field: 'name' }],
    aggregates: [{ fn: 'count', as: 'deals' }],
  });
  await ok(
    a.request('PUT', '/api/document-images/logo', { raw: pngOf(4, 4), headers: { 'content-type': 'image/png' } }),
    'logo',
  );
  await put('/api/meta/dashboards/probe_board', {
    label: 'Probe board',
    home: false,
    roles: ['admin'],
    widgets: [{ report: 'by_name' }],
  });
  await put('/api/print-templates/deal/summary', { html: '<h1>{{name}}</h1><p>{{hidden}}</p>' });
  await ok(
    a.request('PUT', '/api/print-templates/deal/letter/docx', {
      raw: docxOf(docxParagraph('Dear {name}, {hidden}')),
      headers: { 'content-type': 'application/octet-stream' },
    }),
    'word template',
  );

  const scoped = await tenantA.addUser({ roles: ['scoped'], name: 'Scoped' });
  const none = await tenantA.addUser({ roles: [], name: 'Nobody' });
  const reader = await tenantA.addUser({ roles: ['reader'], name: 'Reader' });
  const login: Fixture['login'] = {
    admin: () => tenantA.login(tenantA.admin.email, tenantA.admin.password),
    scoped: () => tenantA.login(scoped.email, scoped.password),
    none: () => tenantA.login(none.email, none.password),
    foreign: () => tenantB.login(tenantB.admin.email, tenantB.admin.password),
  };
  const withMarker = async (id: string) => ok(a.patch(`/api/records/deal/${id}`, { hidden: MARKER }), 'hidden value');
  let imports = 0;
  fx = {
    tenantA,
    tenantB,
    sessions: { admin: a, scoped: scoped.api, none: none.api, foreign: tenantB.api },
    login,
    scopedUser: { id: scoped.id, email: scoped.email, password: scoped.password },
    readerUser: reader.id,
    async deal(opts = {}) {
      const api = opts.own ? scoped.api : a;
      const id = (await ok(api.post('/api/records/deal', { name: 'Probe deal', amount: 5 }), 'deal')).body.id;
      await withMarker(id);
      if (opts.deleted) await ok(a.delete(`/api/records/deal/${id}`), 'delete');
      return id;
    },
    async file(deal) {
      const r = await ok(
        a.request('POST', `/api/records/deal/${deal}/files`, {
          raw: `file ${MARKER}`,
          headers: { 'content-type': 'text/plain' },
          query: { name: 'f.txt' },
        }),
        'file',
      );
      return r.body.id;
    },
    async share(deal) {
      return (await ok(a.post(`/api/records/deal/${deal}/shares`, { user: reader.id, level: 'read' }), 'share')).body
        .id;
    },
    async approval() {
      const id = await this.deal();
      const s = await ok(a.post(`/api/records/deal/${id}/submit`, { comment: `c ${MARKER}` }), 'submit');
      const inbox = await ok(a.get('/api/approvals/inbox'), 'inbox');
      const task = inbox.body.items.find((i: { instance: string }) => i.instance === s.body.instance.id);
      return { instance: s.body.instance.id, task: task.task };
    },
    async importId() {
      imports += 1;
      const r = await ok(
        a.request('POST', '/api/records/deal/import', {
          raw: JSON.stringify([{ name: `Imported ${imports}`, hidden: MARKER }]),
          query: { format: 'json' },
        }),
        'import',
      );
      return r.body.id;
    },
    async delegation() {
      const r = await ok(
        a.post('/api/approvals/delegations', {
          to: reader.id,
          from: '2031-01-01T00:00:00Z',
          until: '2031-01-02T00:00:00Z',
        }),
        'delegation',
      );
      return r.body.id;
    },
    async notification() {
      await this.approval();
      const r = await ok(a.get('/api/notifications'), 'notifications');
      const item = r.body.items[0];
      expect(item, 'the admin has a notification (a task was assigned)').toBeTruthy();
      return item.id;
    },
    async throwawayUser() {
      return (await tenantA.addUser({ roles: [], name: 'Throwaway' })).id;
    },
  };
}, 240_000);

afterAll(async () => {
  for (const t of [fx?.tenantA, fx?.tenantB])
    if (t) await server.platform.delete(`/api/tenants/${t.id}`, { query: { confirm: t.id } });
  await server?.close();
});

/** `/api/records/{object}/{id}` → `/api/records/deal/<id>`; a parameter the probe cannot fill fails. */
function pathOf(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${template}: give it in the probe's table`);
    return encodeURIComponent(value);
  });
}

function matches(want: Want, status: number): boolean {
  return typeof want === 'number' ? status === want : want.includes(status);
}

describe('every route of the OpenAPI document, as every kind of session', () => {
  it('the table and the document name the same operations', async () => {
    const doc = await server.anon.get('/api/openapi.json');
    expect(doc.status).toBe(200);
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const missing = operations.filter((o) => !ROUTES[o]);
    const stale = Object.keys(ROUTES).filter((k) => !operations.includes(k));
    expect(missing, 'operations the probe does not know how to call: add them to its table').toEqual([]);
    expect(stale, 'table entries for operations that no longer exist').toEqual([]);
  });

  it('answers each session exactly as expected, never 5xx, and never shows the hidden marker', async () => {
    const doc = await server.anon.get('/api/openapi.json');
    const failures: string[] = [];
    for (const [path, ops] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) {
        const key = `${method.toUpperCase()} ${path}`;
        const route = ROUTES[key];
        if (!route) {
          failures.push(`${key}: not in the probe's table`);
          continue;
        }
        const call = (await route.call?.(fx)) ?? {};
        const needsRecord = path.startsWith('/api/records/{object}/{id}');
        const params: Record<string, string> = {
          object: 'deal',
          ...(path.startsWith('/api/users/{id}') ? { id: fx.tenantA.admin.id } : {}),
          ...(path.startsWith('/api/tenants/{id}') ? { id: fx.tenantA.id } : {}),
          ...(path.startsWith('/api/plugins/core-crm/leads/{id}') ? { id: crypto.randomUUID() } : {}),
          ...(needsRecord && !call.params?.id ? { id: await fx.deal() } : {}),
          ...call.params,
        };
        const send = async (role: Role | 'own', p: Record<string, string>) => {
          const session = role === 'own' ? 'scoped' : role;
          const api = route.freshSession ? await fx.login[session]() : fx.sessions[session];
          return api.request(method.toUpperCase(), pathOf(path, p), {
            ...(call.body !== undefined ? { body: call.body } : {}),
            ...(call.raw !== undefined ? { raw: call.raw } : {}),
            ...(call.headers ? { headers: call.headers } : {}),
            ...(call.query ? { query: call.query } : {}),
          });
        };
        const check = (who: string, want: Want, r: ApiResponse) => {
          if (r.status >= 500) failures.push(`${key} as ${who}: ${r.status} ${r.text.slice(0, 200)}`);
          else if (!matches(want, r.status))
            failures.push(`${key} as ${who}: ${r.status}, expected ${want} (${r.text.slice(0, 160)})`);
          if (who !== 'admin' && r.text.includes(MARKER)) failures.push(`${key} as ${who}: the hidden marker leaked`);
        };
        for (const role of ROLES) {
          if (role === 'admin' && route.expect.own !== undefined) {
            const own = call.ownParams ?? (needsRecord ? { id: await fx.deal({ own: true }) } : {});
            check('own', route.expect.own, await send('own', { ...params, ...own }));
          }
          check(role, route.expect[role], await send(role, params));
        }
      }
    }
    expect(failures).toEqual([]);
  }, 900_000);
});
