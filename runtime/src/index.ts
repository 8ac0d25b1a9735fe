export * from './errors';
export * from './ctx';
export * from './clock';
export * from './config';
export { connectDb, pingDb, type Db, type DbOptions } from './db/connect-db';
export { createRuntime, type Runtime, type RuntimeOptions } from './create-runtime';
export type { NewTenant, TenantRow } from './tenants/tenant-service';
export type { NewUser, UserPatch } from './users/user-service';
export type { PublicUser } from './users/user-row';
