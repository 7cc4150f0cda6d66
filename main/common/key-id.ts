/** Access key ids as messages show them. */

/** `AKIA…WXYZ`: enough to tell keys apart in a message, without printing the whole id. */
export function maskKeyId(accessKeyId: string): string {
  return accessKeyId.length > 8 ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}` : 'the stored key';
}
