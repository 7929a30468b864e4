export * from './errors.js';
export * from './domain.js';
export * from './permissions.js';
export * from './ranking-settings.js';
export * from './api.js';
export * from './realtime.js';
export * from './collab.js';
