/** The package version (read by src/scan/version.ts). */
export { toolVersion } from '../scan/version.js';
