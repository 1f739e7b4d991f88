/**
 * The OpenSearch index the worker writes messages to and the API searches, as the apps name it:
 * written once, in their dependency-free `@co-talk/common/search` module (the images are built from
 * `apps/` alone, so the value comes from there). The apps' search roles in the domain and their IAM
 * policies are scoped to this index.
 */
export { MESSAGE_SEARCH_INDEX } from '../../apps/common/src/search';
