/**
 * The web app: sign in with an API key, then Live (microphone captions) and
 * Files (upload, transcriptions, transcripts). It talks only to Hark's public
 * API, on the origin that served it.
 */
import { ApiRequestError, HarkApi } from './api.js';
import { byId, showMessage } from './dom.js';
import { TranscriptView } from './files/transcript-view.js';
import { TranscriptionList } from './files/transcription-list.js';
import { UploadForm } from './files/upload-form.js';
import { LiveView } from './live/live-view.js';

const signInForm = byId('sign-in', HTMLFormElement);
const keyInput = byId('api-key', HTMLInputElement);
const signInError = byId('sign-in-error', HTMLElement);
const signInButton = byId('sign-in-submit', HTMLButtonElement);

function showTab(name: string): void {
  for (const tab of document.querySelectorAll<HTMLButtonElement>('#tabs [data-tab]')) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(selected));
    byId(tab.dataset.tab!, HTMLElement).hidden = !selected;
  }
}

async function signIn(key: string): Promise<void> {
  const api = new HarkApi(key);
  // Listing the models checks the key and gives the settings both tabs offer.
  const models = await api.models();
  new LiveView(api, models);
  const transcript = new TranscriptView(api, () => void list.refresh());
  const list = new TranscriptionList(api, transcript);
  new UploadForm(api, models, (created) => void list.add(created));
  signInForm.hidden = true;
  byId('tabs', HTMLElement).hidden = false;
  byId('sign-out', HTMLButtonElement).hidden = false;
  showTab('live');
  await list.refresh();
}

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) return;
  signInButton.disabled = true;
  showMessage(signInError, null);
  signIn(key)
    .then(() => {
      // The key now lives only inside HarkApi; not even the input keeps it.
      keyInput.value = '';
    })
    .catch((err: unknown) => {
      const message =
        err instanceof ApiRequestError && err.status === 401
          ? 'Hark did not accept this API key. Use a key from HARK_API_KEYS or the one Hark printed at start (data/api-key); temporary keys work only for live sessions.'
          : err instanceof Error
            ? err.message
            : String(err);
      showMessage(signInError, message);
    })
    .finally(() => {
      signInButton.disabled = false;
    });
});

for (const tab of document.querySelectorAll<HTMLButtonElement>('#tabs [data-tab]')) {
  tab.addEventListener('click', () => showTab(tab.dataset.tab!));
}

// Signing out forgets the key the only sure way: the page and its memory go.
byId('sign-out', HTMLButtonElement).addEventListener('click', () => location.reload());
