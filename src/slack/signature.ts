import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from our clock, either way (Slack's documented window). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Why a request is not Slack's, or undefined when it is: Slack's v0 signature (HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` with the signing secret), over a timestamp no more than five minutes
 * from `nowMs` either way. Bolt only refuses stale timestamps; a captured request signed with a
 * timestamp an hour ahead could otherwise be replayed for an hour.
 */
export function signatureProblem(
  signingSecret: string,
  rawBody: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  nowMs: number,
): string | undefined {
  if (!timestampHeader || !signatureHeader) return 'unsigned';
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp)) return 'a malformed timestamp';
  if (Math.abs(timestamp * 1000 - nowMs) > MAX_CLOCK_SKEW_MS) return 'a timestamp more than 5 minutes off';
  if (!signatureHeader.startsWith('v0=')) return 'an unknown signature version';
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestampHeader}:${rawBody}`).digest();
  const given = Buffer.from(signatureHeader.slice(3), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'a wrong signature';
  return undefined;
}
