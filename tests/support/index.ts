export * from './api-client';
export * from './test-server';
export * from './tenants';
