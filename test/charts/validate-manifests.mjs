// Validates Kubernetes objects against the Kubernetes 1.36 schema (kubernetes-models) and the
// Prometheus operator CRDs (@kubernetes-models/prometheus-operator). Both packages are ES modules
// only, which jest's CommonJS runtime cannot load, so the tests run this file with node:
// objects as a JSON array on stdin, a JSON array of { index, kind, errors } on stdout.
import * as k8s from 'kubernetes-models';
import * as prometheus from '@kubernetes-models/prometheus-operator';

// networking.k8s.io -> networkingK8sIo, as the packages name their group exports.
const camel = (group) => group.replace(/\.([a-z])/g, (_, letter) => letter.toUpperCase());

function modelFor({ apiVersion, kind }) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return k8s[version]?.[kind];
  const root = group === 'monitoring.coreos.com' ? prometheus : k8s;
  return root[camel(group)]?.[version]?.[kind];
}

const input = JSON.parse(
  await new Promise((resolve) => {
    let data = '';
    process.stdin.on('data', (chunk) => (data += chunk));
    process.stdin.on('end', () => resolve(data));
  }),
);

const results = input.map((object, index) => {
  const Model = modelFor(object);
  if (!Model) return { index, kind: object.kind, errors: [`no schema for ${object.apiVersion} ${object.kind}`] };
  try {
    new Model(object).validate();
    return { index, kind: object.kind, errors: [] };
  } catch (err) {
    return { index, kind: object.kind, errors: [String(err.message)] };
  }
});
process.stdout.write(JSON.stringify(results));
