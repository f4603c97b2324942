// A reseller's seal and logo (spec 05 §2.1 step 4): PNG or JPEG, at most `maxImageBytes`. Checked by signature
// here; the renderer opens the image once more on save, so a file that only starts like a PNG is refused too.
import { AppError } from '../errors';

export const maxImageBytes = 256 * 1024;
export type ImageType = 'image/png' | 'image/jpeg';

export function imageTypeOf(bytes: Uint8Array, field: string): ImageType {
  if (bytes.length === 0) throw new AppError('invalid_image', `${field}: the image is empty`);
  if (bytes.length > maxImageBytes) throw new AppError('image_too_large', `${field}: ${bytes.length} bytes; at most ${maxImageBytes} are accepted`);
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  throw new AppError('invalid_image', `${field}: only PNG and JPEG images are accepted`);
}
