/**
 * Context for the LibriVox recordings (test/support/librivox.ts), which read
 * the first chapters of Jane Austen's "Sense and Sensibility": the novel's
 * proper names as terms, and a summary of the book as domain text. The
 * summary was written for these tests from the plot, not from the recorded
 * sentences, so it helps the way a user's own background text would.
 */
import type { RecognitionContext } from '../../src/pipeline/context/recognition-context.js';

export const AUSTEN_TERMS: readonly string[] = [
  'Dashwood', 'John Dashwood', 'Henry Dashwood', 'Elinor', 'Marianne', 'Margaret', 'Norland', 'Fanny',
  'Willoughby', 'Colonel Brandon', 'Edward Ferrars', 'Barton',
];

export const AUSTEN_TEXT =
  'Sense and Sensibility is a novel by Jane Austen, published in 1811. It follows the three Dashwood sisters, ' +
  'Elinor, Marianne and Margaret, as they move with their widowed mother from Norland Park, their family estate ' +
  'in Sussex, to Barton Cottage in Devonshire. When Henry Dashwood dies, Norland passes to John Dashwood, his ' +
  'son by a first marriage, who promised his father to help his stepmother and half sisters. His wife Fanny ' +
  'talks him out of every generous plan, and the women are left with little money. Elinor, the eldest, stands ' +
  'for sense: she is prudent, discreet and keeps her feelings to herself. Marianne stands for sensibility: she ' +
  'is romantic and open in her emotions. At Barton they are welcomed by their cousin Sir John Middleton and his ' +
  'mother in law Mrs. Jennings. Marianne falls in love with the dashing John Willoughby, while the quiet Colonel ' +
  'Brandon loves her. Elinor is attached to Edward Ferrars, Fanny\'s brother, who turns out to be secretly ' +
  'engaged to Lucy Steele. The novel is a story of marriage, money, manners and the balance between reason and ' +
  'feeling.';

/** Terms and text together, in the pipeline's form. */
export const AUSTEN_CONTEXT: RecognitionContext = {
  general: [{ key: 'domain', value: 'Literature' }, { key: 'topic', value: 'Sense and Sensibility by Jane Austen' }],
  text: AUSTEN_TEXT,
  terms: [...AUSTEN_TERMS],
  translationTerms: [],
};
