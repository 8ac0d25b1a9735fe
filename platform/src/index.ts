export { buildApp, type AppOptions } from './app';
export { loadConfig, type PlatformConfig } from './config';
export { startServer, type Server, type StartOptions } from './server';
export { startEmbeddedPostgres, freePort, type EmbeddedDb } from './db/embedded-postgres';
export { ensureDemoTenant, DEMO_ADMIN } from './demo-tenant';
