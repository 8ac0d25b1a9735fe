import type { Clock } from '../clock';
import type { Ctx } from '../ctx';
import type { Logger } from '../logger';
import type { Model, ObjectModel } from '../model/load-model';
import type { SystemUpdateOptions } from '../records/record-service';
import type { RecordData, ScriptEngine, ScriptHost } from '../scripts';
import type { InstallationSecrets } from '../security/installation-secrets';
import type { TxCtx } from '../tx/unit-of-work';
import type { ApproverRow } from './resolve-approvers';
import type { TransitionReason } from './workflow-cause';
import type { WorkflowGraph } from './workflow-graph';
import type { InstanceRow } from './workflow-store';

/**
 * What the approval engine needs of the records engine: its one write path for a workflow's fields
 * and the approval status (so history, formulas, hooks and automation rules see them), and scripts'
 * `query()` as a user.
 */
export interface WorkflowRecords {
  systemUpdate(
    ctx: TxCtx,
    object: string,
    id: string,
    changes: RecordData,
    opts: SystemUpdateOptions,
  ): Promise<Record<string, unknown>>;
  scriptHost(ctx: Ctx): ScriptHost;
}

/**
 * Action nodes' `document`: print the record with a template to PDF and attach it (the automation
 * engine's executor, automations/attach-document.ts).
 */
export type AttachDocument = (
  ctx: TxCtx,
  object: string,
  id: string,
  template: string,
  /** The user whose permissions the document is rendered with (the workflow's submitter). */
  author: string,
) => Promise<{ id: string; name: string }>;

/** The services the approval engine runs on. */
export interface WorkflowEnv {
  scripts: ScriptEngine;
  records: WorkflowRecords;
  clock: Clock;
  secrets: InstallationSecrets;
  logger: Logger;
  /** Prefix of links in e-mails (the public address of the server); empty gives relative links. */
  publicUrl: string;
  /** How long an approve/reject link in an e-mail stays valid. */
  linkTtlMs: number;
  attachDocument?: AttachDocument;
}

/** One transition in progress: the instance (locked), its graph, and the record (locked). */
export interface Run {
  ctx: TxCtx;
  env: WorkflowEnv;
  model: Model;
  object: ObjectModel;
  instance: InstanceRow;
  graph: WorkflowGraph;
  record: RecordData;
  now: Date;
  /** Why the transition runs (a submit, a decision…): the cause of the record changes it makes. */
  reason: TransitionReason;
  /** The instance has no open task left (its step was concluded in this transition): nothing to cancel. */
  tasksClosed?: boolean;
  /**
   * The record's stored row as this transition locked it, while nothing can have written it since:
   * the next write through the records engine takes it instead of reading it again (`setFields`
   * spends it; `advance` drops it before an automatic node, whose scripts may write the record).
   */
  lockedRow?: Record<string, unknown>;
  /**
   * The approvers of the step this transition goes to, read with an earlier statement
   * (`prefetchApprovers`): that step's visit takes them instead of reading them again, when their
   * keys still match the record.
   */
  prefetched?: Prefetched;
}

/** Approvers of a step read ahead (`Run.prefetched`): the candidate ids looked up and the rows found. */
export interface Prefetched {
  node: string;
  keys: (string | null)[];
  rows: ApproverRow[];
}
