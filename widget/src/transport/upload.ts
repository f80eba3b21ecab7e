// One file to the server (POST …/uploads, the multipart field "file"), over XMLHttpRequest: the
// only browser API that reports upload progress. Abort cancels it; a 401 token_expired asks the
// page for a fresh token once and starts again, and every failure is an ApiError, as in rest.ts.
import type { Attachment, ErrorBody } from '@imbachat/server/protocol';
import { ApiError } from './rest.ts';

export interface UploadOptions {
  /** …/api/v1/{dev_id}/uploads */
  url: string;
  token(): string;
  refreshToken(): Promise<string | null>;
}

/** An upload on its way: `done` settles with the server's Attachment, or an ApiError ("aborted" once cancelled). */
export interface Sending {
  done: Promise<Attachment>;
  abort(): void;
}

export function uploadFile(o: UploadOptions, file: File, progress: (fraction: number) => void): Sending {
  let xhr: XMLHttpRequest | null = null;
  let aborted = false;
  const once = () =>
    new Promise<Attachment>((resolve, reject) => {
      const x = (xhr = new XMLHttpRequest());
      x.open('POST', o.url);
      x.setRequestHeader('Authorization', `Bearer ${o.token()}`);
      x.setRequestHeader('Accept', 'application/json');
      x.upload.onprogress = (e) => e.lengthComputable && e.total > 0 && progress(Math.min(1, e.loaded / e.total));
      x.onload = () => {
        let body: unknown = null;
        try {
          body = JSON.parse(x.responseText);
        } catch {
          // not our JSON (a proxy's page): the status says enough
        }
        if (x.status >= 200 && x.status < 300 && body) return resolve(body as Attachment);
        const error = (body as ErrorBody | null)?.error;
        // Retry-After is readable only where the server exposes it to the page (cross-origin CORS).
        reject(new ApiError(error?.code ?? `http_${x.status}`, x.status, error?.message ?? x.statusText, (Number(x.getResponseHeader('Retry-After')) || 0) * 1000));
      };
      // No status: the link failed, or the server refused a large body before reading it all and
      // closed the connection (uploads.ts tells the two apart by the file's size).
      x.onerror = x.ontimeout = () => reject(new ApiError('network', 0, 'The upload got no answer.'));
      x.onabort = () => reject(new ApiError('aborted', 0, 'The upload was cancelled.'));
      const form = new FormData();
      form.append('file', file, file.name);
      x.send(form);
    });
  const done = (async () => {
    try {
      return await once();
    } catch (err) {
      if (aborted || !(err instanceof ApiError) || err.status !== 401 || err.code !== 'token_expired') throw err;
      const token = await o.refreshToken();
      if (token === null || aborted) throw aborted ? new ApiError('aborted', 0, 'The upload was cancelled.') : err;
      progress(0);
      return once();
    }
  })();
  return {
    done,
    abort() {
      aborted = true;
      xhr?.abort();
    },
  };
}
