// The SDK's client with the Messages API only. The SDK's default `Anthropic` builds
// every resource (beta, models, files, skills, organization, …) with their tool
// runners: ~430 KB of bundle the Worker never calls. BaseAnthropic is the same
// client (auth, retries, timeouts, errors); only the resources differ.
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { Messages } from '@anthropic-ai/sdk/resources/messages';

export { APIError } from '@anthropic-ai/sdk/error';

export class Anthropic extends BaseAnthropic {
  messages: Messages = new Messages(this);
}
