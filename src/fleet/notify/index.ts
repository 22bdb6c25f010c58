/** Notifications: events computed from data (events.ts), composed per language (compose.ts), delivered by email and webhook (deliver.ts) once per channel (service.ts), configured per tenant (settings.ts). */
export * from './events.js';
export * from './compose.js';
export * from './deliver.js';
export * from './settings.js';
export * from './service.js';
