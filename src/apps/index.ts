/** The explicit registry of web application fingerprints: one file each + one entry here + its tests. */
import { eccube2, eccube34 } from './eccube.js';
import { formmail } from './formmail.js';
import { kentClipmail, kentPostmail } from './kentweb.js';
import { mailformpro } from './mailformpro.js';
import { movabletype } from './movabletype.js';
import { oscommerce } from './oscommerce.js';
import { phpmyadmin } from './phpmyadmin.js';
import type { FingerprintRule } from '../core/fingerprint.js';
import type { AppFingerprint } from './types.js';
import { welcart } from './welcart.js';
import { wordpress } from './wordpress.js';
import { zencart } from './zencart.js';

export const fingerprints: readonly AppFingerprint[] = [wordpress, eccube2, eccube34, welcart, zencart, oscommerce, movabletype, mailformpro, kentPostmail, kentClipmail, formmail, phpmyadmin];

export type { AppFingerprint } from './types.js';

/** Every application's remote fingerprints, for the site scan (src/probe/fingerprint.ts). */
export const appRemoteFingerprints: readonly FingerprintRule[] = fingerprints.flatMap((f) => (f.remote ?? []).map((r) => ({ component: f.component, ...r })));
