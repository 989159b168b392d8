/**
 * Soniox `context`, in the one shape the pipeline uses. The wire accepts a
 * structured object (general, text, terms, translation_terms) or, in the
 * legacy form, a plain string, which is free text.
 */
export interface RecognitionContext {
  general: { key: string; value: string }[];
  text: string;
  terms: string[];
  translationTerms: { source: string; target: string }[];
}

interface WireContext {
  general?: { key: string; value: string }[] | null;
  text?: string | null;
  terms?: string[] | null;
  translation_terms?: { source: string; target: string }[] | null;
}

/** Null when the request carried no context at all. Expects a schema-validated value. */
export function toRecognitionContext(wire: unknown): RecognitionContext | null {
  if (wire === null || wire === undefined) return null;
  if (typeof wire === 'string') return { general: [], text: wire, terms: [], translationTerms: [] };
  const c = wire as WireContext;
  return {
    general: c.general ?? [],
    text: c.text ?? '',
    terms: c.terms ?? [],
    translationTerms: c.translation_terms ?? [],
  };
}
