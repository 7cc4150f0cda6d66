/**
 * Reads the QR code AWS shows when a virtual MFA device is set up, from an image file the user
 * picks, entirely in the window (jsQR on a canvas): the image goes nowhere, and the secret in it
 * goes to the main process once, when the form is saved.
 */
import jsQR from 'jsqr';

/** The largest side an image is scaled down to before decoding (a QR code needs far less). */
const MAX_SIDE = 1600;

/** What reading an image gave. */
export type QrReading =
  | { readonly kind: 'totp'; readonly uri: string; readonly label: string }
  | { readonly kind: 'not-image' }
  | { readonly kind: 'no-code' }
  | { readonly kind: 'not-totp' };

/** Decodes the QR code in an image file and checks that it holds an `otpauth://totp/` URI. */
export async function readQrImage(file: Blob): Promise<QrReading> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { kind: 'not-image' };
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) {
    bitmap.close();
    return { kind: 'not-image' };
  }
  // A transparent background reads as black; QR codes need their light margin.
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const pixels = context.getImageData(0, 0, width, height);
  const found = jsQR(pixels.data, width, height, { inversionAttempts: 'attemptBoth' });
  pixels.data.fill(0);
  if (!found || found.data === '') return { kind: 'no-code' };
  const label = otpauthLabel(found.data);
  return label === undefined ? { kind: 'not-totp' } : { kind: 'totp', uri: found.data, label };
}

/**
 * The account label of an `otpauth://totp/` URI ("Amazon Web Services: alice@123456789012"), which
 * is no secret and tells the user which device they loaded; undefined for anything else.
 */
export function otpauthLabel(uri: string): string | undefined {
  if (!/^otpauth:\/\/totp\//i.test(uri)) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  let path = url.pathname.replace(/^\/+/, '');
  try {
    path = decodeURIComponent(path);
  } catch {
    // Keep it as it is: it is only shown.
  }
  const issuer = url.searchParams.get('issuer') ?? '';
  const account = path.includes(':') ? path.slice(path.indexOf(':') + 1).trim() : path;
  const shown = issuer && account ? `${issuer}: ${account}` : issuer || path;
  return shown.length > 120 ? `${shown.slice(0, 120)}…` : shown;
}
