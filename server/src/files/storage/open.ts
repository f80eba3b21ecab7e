// Picks the attachments' FileStorage from the configuration: an S3 bucket when S3 settings are
// given, otherwise `<dataDir>/files` on local disk.
import { join } from 'node:path';
import { createLocalStorage } from './local.ts';
import type { S3Settings } from './s3-settings.ts';
import { createS3Storage } from './s3.ts';
import type { FileStorage } from './types.ts';

export function openFileStorage(o: { dataDir: string; s3?: S3Settings }): FileStorage {
  return o.s3 ? createS3Storage(o.s3) : createLocalStorage({ dir: join(o.dataDir, 'files') });
}
