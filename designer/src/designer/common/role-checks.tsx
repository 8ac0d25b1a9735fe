import { CheckField } from '../objects/controls';

/** One checkbox per role: the roles that may use an item (a report, a segment). */
export function RoleChecks({
  roles,
  value,
  onChange,
}: {
  roles: Array<{ value: string; label: string }>;
  value: string[];
  onChange: (next: string[]) => void;
}) {
  return (
    <>
      {roles.map((r) => (
        <CheckField
          key={r.value}
          label={r.label}
          checked={value.includes(r.value)}
          onChange={(on) => onChange(on ? [...value, r.value] : value.filter((x) => x !== r.value))}
        />
      ))}
    </>
  );
}
