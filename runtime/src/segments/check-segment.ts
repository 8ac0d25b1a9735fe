/**
 * The `segments` section check: the object exists, the filter parses as a report's would (lookup
 * paths up to three lookups, roll-up fields, no `inSegment`), the refresh schedule is valid for its
 * mode, and the roles exist. Each issue carries its JSON path inside the segment.
 */
import type { MetadataIssue, SegmentDefinition } from '@forma/metadata';
import { resolveTokens, timeTokenProblem } from '../automations/resolve-tokens';
import { scheduleProblem } from '../automations/schedule-period';
import { isAppError } from '../errors';
import type { SectionCheck } from '../meta/section-checks';
import { MAX_PATH_HOPS } from '../records/aggregate-spec';
import { parseFilter } from '../records/parse-filter';

export const checkSegmentItem: SectionCheck<SegmentDefinition> = (_ctx, { item, model }) => {
  const issues: MetadataIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const object = model.objects.get(item.object);
  if (!object) return [{ path: '/object', message: `Unknown object "${item.object}"` }];
  const token = JSON.stringify(item.filter)
    .match(/"\$(?:now|today)[+-][^"]*"/g)
    ?.map((t) => timeTokenProblem(JSON.parse(t) as string))
    .find(Boolean);
  if (token) add('/filter', token);
  try {
    parseFilter(model, object, resolveTokens(item.filter, new Date()), {
      fieldAccess: () => ({}),
      maxHops: MAX_PATH_HOPS,
      noSegments: true,
    });
  } catch (err) {
    if (!isAppError(err)) throw err;
    add('/filter', err.message);
  }
  const refresh = item.refresh;
  if (refresh?.mode === 'schedule') {
    if (!refresh.every) add('/refresh/every', 'a schedule needs "every" (cron or ISO-8601 duration)');
    else {
      const problem = scheduleProblem(refresh.every);
      if (problem) add('/refresh/every', problem);
    }
  } else if (refresh?.every) add('/refresh/every', '"every" applies to mode "schedule" only');
  (item.roles ?? []).forEach((r, i) => {
    if (r !== 'admin' && !model.roles[r]) add(`/roles/${i}`, `Unknown role "${r}"`);
  });
  return issues;
};
