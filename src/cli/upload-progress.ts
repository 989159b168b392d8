/**
 * Upload progress for the SDK's file uploads. The SDK posts a FormData with
 * fetch, which reports nothing while sending; this fetch encodes the form
 * itself as a stream (the file is read from disk as it goes, never held in
 * memory), counts the bytes as the socket takes them, and still sends a
 * Content-Length because every part's size is known up front.
 */
import { randomBytes } from 'node:crypto';

export interface EncodedForm {
  contentType: string;
  /** Bytes in the whole body. */
  length: number;
  /** The body; calls `onProgress` with the bytes produced so far. */
  stream(onProgress: (sentBytes: number) => void): ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();

/** Field names and file names in a part header, escaped as browsers do (WHATWG HTML, multipart/form-data). */
function escapeHeaderValue(value: string): string {
  return value.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
}

/**
 * Encodes a form as multipart/form-data (RFC 7578).
 *
 * @example encodeMultipart(form).length // the Content-Length of the body
 */
export function encodeMultipart(form: FormData, boundary = `----hark-${randomBytes(12).toString('hex')}`): EncodedForm {
  const parts: (Uint8Array | Blob)[] = [];
  for (const [name, value] of form.entries()) {
    let header = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeHeaderValue(name)}"`;
    if (typeof value === 'string') {
      parts.push(encoder.encode(`${header}\r\n\r\n${value.replace(/\r(?!\n)|(?<!\r)\n/g, '\r\n')}\r\n`));
    } else {
      header += `; filename="${escapeHeaderValue(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`;
      parts.push(encoder.encode(header), value, encoder.encode('\r\n'));
    }
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`));
  const length = parts.reduce((sum, part) => sum + (part instanceof Blob ? part.size : part.byteLength), 0);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    stream(onProgress) {
      let index = 0;
      let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
      let sent = 0;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          for (;;) {
            if (reader) {
              const { done, value } = await reader.read();
              if (!done) {
                sent += value.byteLength;
                onProgress(sent);
                controller.enqueue(value);
                return;
              }
              reader = null;
            }
            const part = parts[index++];
            if (part === undefined) {
              controller.close();
              return;
            }
            if (part instanceof Blob) {
              reader = part.stream().getReader() as ReadableStreamDefaultReader<Uint8Array>;
              continue;
            }
            sent += part.byteLength;
            onProgress(sent);
            controller.enqueue(part);
            return;
          }
        },
        async cancel(reason) {
          await reader?.cancel(reason);
        },
      });
    },
  };
}

/**
 * A fetch that sends FormData bodies through `encodeMultipart`, reporting
 * progress; any other request goes to `baseFetch` unchanged.
 */
export function fetchWithUploadProgress(
  onProgress: (sentBytes: number, totalBytes: number) => void,
  baseFetch: typeof fetch = fetch,
): typeof fetch {
  return async (input, init) => {
    if (!(init?.body instanceof FormData)) return baseFetch(input, init);
    const encoded = encodeMultipart(init.body);
    const headers = new Headers(init.headers);
    headers.set('content-type', encoded.contentType);
    headers.set('content-length', String(encoded.length));
    const body = encoded.stream((sent) => onProgress(sent, encoded.length));
    // A stream body needs `duplex: 'half'` in Node's fetch.
    return baseFetch(input, { ...init, headers, body, duplex: 'half' } as RequestInit);
  };
}
