import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { advance } from './advance';
import { registerWorkflowNodeType } from './nodes/node-registry';
import type { WorkflowNodeType } from './nodes/node-type';
import type { Run } from './workflow-env';
import { WorkflowGraph, type WorkflowDefinition } from './workflow-graph';

/** The walk itself: each visit is its node type's `execute`, until one waits or ends. */
const undo: Array<() => void> = [];
afterEach(() => {
  for (const u of undo.splice(0)) u();
});

const visits: string[] = [];
function register(type: string, execute: WorkflowNodeType['execute']): void {
  undo.push(
    registerWorkflowNodeType({
      type,
      automatic: true,
      simulate: async () => ({}),
      execute: async (run, node) => {
        visits.push(node.id);
        return execute(run, node);
      },
      palette: { label: { en: type }, icon: 'circle', handles: [{ id: 'out' }] },
    }),
  );
}
const next = (run: Run, id: string) => run.graph.out(id)[0]?.target ?? '';

function runOf(nodes: Array<[string, string]>, edges: Array<[string, string]>): Run {
  const definition = {
    object: 'deal',
    label: 'T',
    nodes: nodes.map(([id, type]) => ({ id, type, position: { x: 0, y: 0 }, data: {} })),
    edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
  } as WorkflowDefinition;
  return { graph: new WorkflowGraph(definition), instance: { workflow: 'test' } } as unknown as Run;
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('the walk succeeded');
}

describe('advance', () => {
  it('walks node to node by what each type returns, and stops where one returns null', async () => {
    visits.length = 0;
    register('t_pass', async (run, node) => next(run, node.id));
    register('t_wait', async () => null);
    const run = runOf(
      [
        ['a', 't_pass'],
        ['b', 't_pass'],
        ['c', 't_wait'],
        ['d', 't_pass'],
      ],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'd'],
      ],
    );
    await advance(run, 'a');
    expect(visits).toEqual(['a', 'b', 'c']);
  });

  it('refuses a node that does not exist and a type nobody registered', async () => {
    register('t_pass', async (run, node) => next(run, node.id));
    const dangling = runOf([['a', 't_pass']], []);
    expect((await failure(advance(dangling, 'a'))).message).toBe('Workflow test has no node ""');
    const unknown = runOf([['a', 't_gone']], []);
    expect((await failure(advance(unknown, 'a'))).message).toBe('Workflow test: unknown node type "t_gone"');
  });

  it('gives up on a walk that never waits instead of spinning', async () => {
    visits.length = 0;
    register('t_loop', async (run, node) => next(run, node.id));
    const loop = runOf(
      [
        ['a', 't_loop'],
        ['b', 't_loop'],
      ],
      [
        ['a', 'b'],
        ['b', 'a'],
      ],
    );
    expect((await failure(advance(loop, 'a'))).message).toBe('Workflow test does not reach a step or an end');
    expect(visits.length).toBe(500);
  });

  it('keeps core type names for the core: a plugin cannot take them', () => {
    expect(() => register('approval', async () => null)).toThrow('"approval" is already registered');
    expect(() => register('Bad-Name', async () => null)).toThrow('must match');
  });
});
