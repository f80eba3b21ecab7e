// The English texts of the attach chunk (the composer's tray and the lightbox): they come with its
// code (attach.ts adds them), not with the panel's. The other catalogues keep every key in one file.
export const enAttach = {
  attachedFiles: 'Files to send',
  removeFile: 'Remove {name}',
  uploadingFile: 'Uploading {name}',
  tooManyFiles: 'A message can carry up to {n} files; the others were left out.',
  upTooLarge: 'This file is too large.',
  upTypeNotAllowed: 'This type of file cannot be sent.',
  upTypeMismatch: 'The file’s contents do not match its type.',
  upUnreadable: 'This file could not be read.',
  upRateLimited: 'Too many files at once. Try again in a moment.',
  upNetwork: 'Not uploaded. Check your connection.',
  upFailed: 'Not uploaded.',
  prevImage: 'Previous image',
  nextImage: 'Next image',
  imageCount: '{i} of {n}',
  downloadShort: 'Download',
};
