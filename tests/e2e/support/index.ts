export * from './browser';
export * from './e2e-app';
export * from './screenshot';
export * from './crm-seed';
