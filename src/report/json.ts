import type { ReportDocument } from '../core/model.js';

/** The JSON report of the contract, exactly the document, two-space indented. */
export const renderJson = async (doc: ReportDocument): Promise<string> => `${JSON.stringify(doc, null, 2)}\n`;
