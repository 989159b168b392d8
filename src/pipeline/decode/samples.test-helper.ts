/** Joins decoded chunks into one buffer, for assertions on whole signals. */
export function concatSamples(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * A 44-byte WAV header of 16-bit PCM declaring `sampleRate` and `channels`;
 * `dataBytes` null declares the lengths unknown (0xffffffff), as a stream does.
 */
export function pcmWavHeader(sampleRate: number, channels = 1, dataBytes: number | null = null): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(dataBytes === null ? 0xffffffff : 36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes ?? 0xffffffff, 40);
  return h;
}
