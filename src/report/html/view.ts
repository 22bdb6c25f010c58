/** The owner-facing view of a report (plan, sections, CVE rows) is computed in core: src/core/document/view.ts. */
export * from '../../core/document/view.js';
