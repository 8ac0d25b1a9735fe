/**
 * The two-level approval chain (reviewer, then second reviewer, both user fields of the deal) that
 * the approvals bench runs and tests/api/approvals-statements counts statements on: one definition,
 * so the test pins the cost of the very workflow the bench measures.
 */
export const TWO_LEVEL_CHAIN = {
  object: 'deal',
  label: 'Two-level chain',
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} },
    { id: 'l1', type: 'approval', position: { x: 0, y: 1 }, data: { approvers: [{ field: 'reviewer' }] } },
    { id: 'l2', type: 'approval', position: { x: 0, y: 2 }, data: { approvers: [{ field: 'reviewer2' }] } },
    { id: 'ok', type: 'end', position: { x: 0, y: 3 }, data: { outcome: 'approved' } },
    { id: 'ko', type: 'end', position: { x: 1, y: 3 }, data: { outcome: 'rejected' } },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'l1' },
    { id: 'b', source: 'l1', target: 'l2', data: { outcome: 'approved' } },
    { id: 'c', source: 'l1', target: 'ko', data: { outcome: 'rejected' } },
    { id: 'd', source: 'l2', target: 'ok', data: { outcome: 'approved' } },
    { id: 'e', source: 'l2', target: 'ko', data: { outcome: 'rejected' } },
  ],
};
