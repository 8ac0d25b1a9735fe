import { useMemo, useState } from 'react';
import { Plus, Trash2 } from 'lucide-react';
import {
  Badge,
  Button,
  Card,
  type Column,
  DataTable,
  Dialog,
  EmptyState,
  ErrorState,
  IconButton,
  LoadingState,
  Page,
  PageHeader,
  type SortState,
  TextField,
  useToast,
} from '../ui';
import './ui-kit-page.css';

interface Row {
  id: string;
  name: string;
  stage: string;
  amount: number;
}

const ROWS: Row[] = [
  { id: '1', name: 'Acme renewal', stage: 'Negotiation', amount: 120000 },
  { id: '2', name: 'Globex pilot', stage: 'New', amount: 18000 },
  { id: '3', name: 'Initech expansion', stage: 'Won', amount: 64000 },
];

/**
 * `/designer/ui`: the design system's living reference (admins only, not in the navigation).
 * Screen builders copy from here; the browser tests check keyboard behaviour on it. Developer
 * facing, so English only.
 */
export function UiKitPage() {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [sort, setSort] = useState<SortState>({ key: 'amount', direction: 'desc' });
  const rows = useMemo(() => {
    const dir = sort.direction === 'asc' ? 1 : -1;
    return [...ROWS].sort((a, b) => {
      const x = a[sort.key as keyof Row];
      const y = b[sort.key as keyof Row];
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
  }, [sort]);
  const money = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  const columns: Array<Column<Row>> = [
    { key: 'name', header: 'Name', sortable: true },
    {
      key: 'stage',
      header: 'Stage',
      render: (r) => <Badge tone={r.stage === 'Won' ? 'success' : 'neutral'}>{r.stage}</Badge>,
    },
    { key: 'amount', header: 'Amount', align: 'end', sortable: true, render: (r) => money.format(r.amount) },
  ];

  return (
    <Page>
      <PageHeader title="Design system" subtitle="The building blocks every Forma screen uses." />
      <div className="f-kit">
        <Card title="Buttons">
          <div className="f-kit__row">
            <Button variant="primary" icon={<Plus size={16} aria-hidden="true" />}>
              New deal
            </Button>
            <Button>Secondary</Button>
            <Button variant="ghost">Ghost</Button>
            <Button variant="danger" icon={<Trash2 size={16} aria-hidden="true" />}>
              Delete
            </Button>
            <Button variant="primary" loading>
              Saving
            </Button>
            <Button disabled>Disabled</Button>
            <IconButton label="Delete record" icon={<Trash2 size={16} aria-hidden="true" />} variant="secondary" />
          </div>
        </Card>
        <Card title="Inputs">
          <div className="f-kit__grid">
            <TextField label="Name" required placeholder="Acme renewal" hint="Shown in lists and lookups." />
            <TextField label="Amount" inputMode="decimal" defaultValue="-5" error="Must be 0 or more" />
          </div>
        </Card>
        <Card title="Table">
          <DataTable
            caption="Deals"
            columns={columns}
            rows={rows}
            rowKey={(r) => r.id}
            sort={sort}
            onSortChange={setSort}
          />
        </Card>
        <Card title="Dialog and toasts">
          <div className="f-kit__row">
            <Button onClick={() => setOpen(true)}>Open dialog</Button>
            <Button onClick={() => toast({ title: 'Deal saved', tone: 'success' })}>Success toast</Button>
            <Button
              onClick={() =>
                toast({ title: 'Could not save', description: 'Someone else changed this record.', tone: 'error' })
              }
            >
              Error toast
            </Button>
          </div>
          <Dialog
            open={open}
            onOpenChange={setOpen}
            title="Delete 3 deals?"
            description="They move to the recycle bin and can be restored for 30 days."
            closeLabel="Close"
            footer={
              <>
                <Button onClick={() => setOpen(false)}>Cancel</Button>
                <Button variant="danger" onClick={() => setOpen(false)}>
                  Delete
                </Button>
              </>
            }
          />
        </Card>
        <Card title="States">
          <div className="f-kit__grid">
            <EmptyState compact title="No deals yet" body="Create one, or import a CSV." />
            <LoadingState compact label="Loading deals…" />
            <ErrorState compact title="Deals could not be loaded" action={<Button size="sm">Try again</Button>} />
          </div>
        </Card>
      </div>
    </Page>
  );
}
