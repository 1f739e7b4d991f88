/**
 * The suites on the whole synthesized app (`*.spec.ts`, next to the tiers they test), run in one
 * file: `synthApp` (test/support/synth-app.ts) keeps each profile's app for the file that asked
 * for it, so together they synthesize every profile once instead of once per suite, which was
 * most of `npm test`'s time. test/nag.test.ts builds its own apps, with CloudFormation
 * validation on, and runs beside this one.
 */
import './app.spec';
import './stack-size.spec';
import './network/network-stack.spec';
import './data/data-stack.spec';
import './data/chat-database.spec';
import './data/redis-clusters.spec';
import './data/search-domain.spec';
import './cluster/cluster-stack.spec';
import './cluster/workload-identities.spec';
import './edge/edge-stack.spec';
import './observability/observability-stack.spec';
import './observability/isolation-and-alerting.spec';
import './workloads/workloads-stack.spec';
