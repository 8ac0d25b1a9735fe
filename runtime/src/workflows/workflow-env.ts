import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Model, ObjectModel } from '../model/load-model';
import type { RecordData, ScriptEngine } from '../scripts';
import type { InstallationSecrets } from '../security/installation-secrets';
import type { TxCtx } from '../tx/unit-of-work';
import type { WorkflowGraph } from './workflow-graph';
import type { InstanceRow } from './workflow-store';

/** The services the approval engine runs on. */
export interface WorkflowEnv {
  scripts: ScriptEngine;
  clock: Clock;
  secrets: InstallationSecrets;
  logger: Logger;
  /** Prefix of links in e-mails (the public address of the server); empty gives relative links. */
  publicUrl: string;
  /** How long an approve/reject link in an e-mail stays valid. */
  linkTtlMs: number;
  /**
   * Action nodes' `document`: print the record with a template to PDF and attach it (the automation
   * engine's executor, automations/attach-document.ts; wired by create-runtime), rendered with the
   * permissions of `author`.
   */
  attachDocument?: (
    ctx: TxCtx,
    object: string,
    id: string,
    template: string,
    author: string,
  ) => Promise<{ id: string; name: string }>;
  /**
   * After a workflow wrote fields of a record: values derived from them elsewhere (roll-ups over
   * related records, e.g. a campaign's won revenue when a deal's stage is set) follow in the same
   * transaction (the records engine, wired by create-runtime).
   */
  afterRecordWrite?: (ctx: TxCtx, model: Model, object: ObjectModel, old: RecordData, row: RecordData) => Promise<void>;
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
}
