/**
 * The diarization thread's entry (started by threaded-live-diarizer.ts): it
 * holds every live stream's {@link OnlineDiarizer} and runs their
 * synchronous decisions (the x-vector network on onnxruntime, spectral
 * clustering) here, where blocking for a quarter of a second delays only
 * other streams' speaker labels, never the server's event loop.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import type { FromDiarizationThread, ToDiarizationThread } from './diarization-thread-messages.js';
import { OnlineDiarizer } from './online-diarizer.js';
import { speakerNetwork } from './speaker-model.js';

function serve(port: MessagePort): void {
  const diarizers = new Map<number, OnlineDiarizer>();
  const reply = (message: FromDiarizationThread) => port.postMessage(message);

  const handle = (message: ToDiarizationThread): void => {
    switch (message.type) {
      case 'open':
        // The network loads on the first open (about half a second), here rather than on the event loop.
        diarizers.set(message.id, new OnlineDiarizer({}, speakerNetwork()));
        return;
      case 'close':
        diarizers.delete(message.id);
        return;
    }
    const { id } = message;
    // A diarizer that threw is gone, with the rest of its stream's requests.
    const diarizer = diarizers.get(id);
    if (!diarizer) return;
    switch (message.type) {
      case 'push':
        diarizer.push(message.samples);
        return;
      case 'final':
        reply({ type: 'final', id, labels: diarizer.labelFinal(message.words) });
        return;
      case 'provisional':
        reply({ type: 'provisional', id, labels: diarizer.labelProvisional(message.words) });
        return;
    }
  };

  port.on('message', (message: ToDiarizationThread) => {
    try {
      handle(message);
    } catch (err) {
      // One stream's failure ends that stream's diarizer, not the thread the others share.
      diarizers.delete(message.id);
      reply({ type: 'failed', id: message.id, message: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  });
}

if (parentPort) serve(parentPort);
