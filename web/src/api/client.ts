/**
 * The dashboard's API client: the SDK (src/client) with URLs relative to the page, since the dashboard
 * is served by the API process itself. Every REST call of the dashboard goes through `api`.
 */
import { createRestClient } from '../../../src/client/rest.ts';

export { ApiError } from '../../../src/client/rest.ts';

/** REST methods of the contract's route table. */
export const api = createRestClient();
