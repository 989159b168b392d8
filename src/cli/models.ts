/** `hark models`: the speech models this machine can install, and those it has. */
import { existsSync, rmSync } from 'node:fs';
import { dataDirSetting, modelSettings } from '../config/config.js';
import { formatBytes } from '../lib/byte-size.js';
import { MODEL_CATALOGUE, findCatalogueModel } from '../services/speech-models/model-catalogue.js';
import { listInstalledModels, removeInstalledModel } from '../services/speech-models/installed-models.js';
import { ModelPullError, partialPath, pullModel } from '../services/speech-models/model-pull.js';
import { CliError, usageError } from './cli-error.js';
import { parseCommand, table } from './command-line.js';
import { Progress } from './progress.js';

const USAGE = `Usage: hark models [list] [--json]
       hark models pull <id> [--archive <file>]
       hark models remove <id>

Lists the models Hark can install for HARK_ENGINE=sherpa-onnx and those
installed in $HARK_DATA_DIR/models, downloads one, or deletes one.

  --json             list: print the catalogue and installed models as JSON
  --archive <file>   pull: install from an archive copied here by hand
                     (checked against the catalogue, nothing downloaded)

Pulls fetch from the official sherpa-onnx release, or HARK_MODEL_MIRROR.
An interrupted pull resumes when run again; remove also deletes its partial archive.`;

function list(json: boolean, dataDir: string): void {
  const installed = listInstalledModels(dataDir);
  if (json) {
    process.stdout.write(`${JSON.stringify({ catalogue: MODEL_CATALOGUE, installed }, null, 2)}\n`);
    return;
  }
  const installedIds = new Set(installed.map((m) => m.id));
  const rows = MODEL_CATALOGUE.map((m) => [
    m.id,
    installedIds.has(m.id) ? 'installed' : '',
    m.family,
    m.languages.length > 6 ? `${m.languages.length} languages` : m.languages.join(','),
    formatBytes(m.sizeBytes),
    m.sha256 ? 'sha256' : 'size only',
  ]);
  for (const m of installed) {
    if (!findCatalogueModel(m.id)) rows.push([m.id, 'installed', m.family, m.languages.join(','), formatBytes(m.sizeBytes), 'copied in']);
  }
  process.stdout.write(table(['ID', 'STATE', 'FAMILY', 'LANGUAGES', 'SIZE', 'CHECK'], rows));
}

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(args, { json: { type: 'boolean' }, archive: { type: 'string' } }, USAGE);
  if (!parsed) return;
  const { values, positionals } = parsed;
  const [action = 'list', id, ...extra] = positionals;
  // Not the whole configuration: a HARK_ENGINE_MODEL that is not installed yet must not stop its own pull.
  const config = { dataDir: dataDirSetting(), models: modelSettings() };
  if (action === 'list') return list(values.json === true, config.dataDir);
  if (action !== 'pull' && action !== 'remove') throw usageError(`Unknown action: ${action}`, USAGE);
  if (id === undefined || extra.length > 0) throw usageError(`hark models ${action} needs one model id`, USAGE);

  if (action === 'remove') {
    const removed = removeInstalledModel(config.dataDir, id);
    // An interrupted pull's partial archive goes too: remove is how to give up on a download.
    const catalogued = findCatalogueModel(id);
    const partial = catalogued ? partialPath(config.dataDir, catalogued) : null;
    const hadPartial = partial !== null && existsSync(partial);
    if (hadPartial) rmSync(partial, { force: true });
    if (!removed && !hadPartial) throw new CliError(`${id} is not installed ("hark models list" shows what is)`);
    process.stderr.write(removed ? `Removed ${id}\n` : `Removed the partial download of ${id}\n`);
    return;
  }
  const model = findCatalogueModel(id);
  if (!model) throw new CliError(`Unknown model: ${id}. The catalogue has: ${MODEL_CATALOGUE.map((m) => m.id).join(', ')}`);
  const progress = new Progress(process.stderr);
  const abort = new AbortController();
  // Ctrl-C keeps the partial archive, so the next pull resumes it.
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    const result = await pullModel(model, {
      dataDir: config.dataDir,
      mirror: config.models.mirror,
      signal: abort.signal,
      ...(values.archive !== undefined ? { archivePath: values.archive } : {}),
      progress: { downloaded: (done, total) => progress.bar(model.archive, done, total), step: (text) => progress.step(text) },
    });
    progress.done();
    if (!model.sha256) process.stderr.write(`No published sha256 for this archive; the one downloaded has sha256 ${result.sha256}\n`);
    process.stderr.write(`Installed ${model.id} in ${result.dir}${result.resumed ? ' (resumed download)' : ''}\n`);
    process.stdout.write(`HARK_ENGINE=sherpa-onnx HARK_ENGINE_MODEL=${model.id}\n`);
  } catch (err) {
    progress.done();
    if (err instanceof ModelPullError) throw new CliError(err.message);
    if (abort.signal.aborted) throw new CliError('Interrupted; run the same command again to resume the download.');
    throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
