import { ErrorCode, SitrepError } from '../core/errors.js';

/**
 * A Web API method refusing a call the way Slack does: HTTP 200 with `{ ok: false, error }`,
 * plus whatever Slack adds (e.g. `response_metadata.messages` naming the bad block). Thrown
 * inside the stand-in only; the server turns it into that response body.
 */
export class SlackMethodFailure extends SitrepError {
  constructor(
    /** Slack's error string, e.g. `channel_not_found`. */
    readonly slackError: string,
    /** Extra top-level fields of the response body. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(ErrorCode.SlackApi, `Slack API stand-in: ${slackError}`);
  }

  toBody(): Record<string, unknown> {
    return { ok: false, error: this.slackError, ...this.extra };
  }
}
