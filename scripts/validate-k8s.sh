#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# validate-k8s.sh — validate the Kubernetes manifests offline.
#
#   scripts/validate-k8s.sh [DIR]        (default: deploy/kubernetes)
#
# 1. every *.yaml parses (duplicate keys rejected, as the API server's strict
#    field validation does);
# 2. every resource validates against the Kubernetes OpenAPI schemas in strict
#    mode (unknown fields rejected) for each version in K8S_VERSIONS; the
#    schemas ship inside the PyPI package kubernetes-validate, so no cluster and
#    no network are needed once it is installed (into a cached venv);
# 3. kustomization.yaml lists existing files, and every manifest except
#    *.example.yaml; `kubectl kustomize` builds it when kubectl is installed;
# 4. references hold together (selectors match the pod labels, names of
#    services, config maps, secrets, volumes and ports exist) and the pod keeps
#    the hardening that reliability S5 requires (non-root, read-only root,
#    no capabilities, RuntimeDefault seccomp).
#
# Environment: K8S_VERSIONS (default "1.27.0 1.37.0"), K8S_VALIDATE_VENV
# (default ~/.cache/pixelrelay/k8s-validate-venv), KUBECTL (default kubectl;
# empty = skip the kustomize build). Exit status 0 = valid.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$(cd "${1:-$REPO/deploy/kubernetes}" && pwd)
K8S_VERSIONS=${K8S_VERSIONS:-1.27.0 1.37.0}
KV_PIN=1.37.0
VENV=${K8S_VALIDATE_VENV:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pixelrelay/k8s-validate-venv}
T0=$(date +%s)

# ------------------------------------------------------------ install (idempotent, quiet)
have_kv() {
  "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('kubernetes-validate') != '$KV_PIN')" 2>/dev/null
}
if ! have_kv; then
  echo "validate-k8s: installing kubernetes-validate==$KV_PIN into $VENV"
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends python3-venv >/dev/null 2>&1 \
      || { apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1 \
           && DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends python3-venv >/dev/null; }
  fi
  rm -rf "$VENV"
  python3 -m venv "$VENV" >/dev/null
  "$VENV/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$KV_PIN" >/dev/null
  have_kv || { echo "validate-k8s: FAIL: could not install kubernetes-validate"; exit 1; }
fi

# ------------------------------------------------------------ kustomize build (optional)
KUBECTL=${KUBECTL-kubectl}
if [ -n "$KUBECTL" ] && command -v "$KUBECTL" >/dev/null 2>&1 && [ -f "$DIR/kustomization.yaml" ]; then
  if out=$("$KUBECTL" kustomize "$DIR" 2>&1 >/dev/null); then
    echo "[ OK ] kubectl kustomize builds $DIR"
  else
    echo "$out" | sed 's/^/       | /'
    echo "validate-k8s: FAIL: kubectl kustomize $DIR"; exit 1
  fi
fi

# ------------------------------------------------------------ schema + consistency checks
"$VENV/bin/python" - "$DIR" $K8S_VERSIONS <<'PY'
import glob, os, sys
import yaml
import kubernetes_validate as kv

directory, versions = sys.argv[1], sys.argv[2:]
problems = []
def fail(where, msg): problems.append(f"{where}: {msg}")

class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML keeps the last one silently)."""
def no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)
StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_duplicates)

files = sorted(glob.glob(os.path.join(directory, "*.yaml")) + glob.glob(os.path.join(directory, "*.yml")))
if not files: fail(directory, "no manifests")
docs, kustomization = [], None     # docs: (file, index, resource)
for path in files:
    name = os.path.basename(path)
    try:
        with open(path) as f: loaded = [d for d in yaml.load_all(f, Loader=StrictLoader) if d is not None]
    except yaml.YAMLError as e:
        fail(name, f"YAML: {e}"); continue
    for i, d in enumerate(loaded):
        where = f"{name}#{i}"
        if not isinstance(d, dict) or not d.get("apiVersion") or not d.get("kind"):
            fail(where, "not a resource (apiVersion and kind required)"); continue
        if d["kind"] == "Kustomization":
            kustomization = (name, d); continue
        if not (d.get("metadata") or {}).get("name"): fail(where, "metadata.name missing")
        docs.append((name, i, d))

# 2. strict OpenAPI schema validation
for name, i, d in docs:
    for v in versions:
        try:
            kv.validate(d, v, strict=True)
        except kv.ValidationError as e:
            path = ".".join(str(p) for p in e.path) or "(root)"
            fail(f"{name}#{i} {d['kind']} (k8s {v})", f"{path}: {e.message}")
        except (kv.SchemaNotFoundError, kv.VersionNotSupportedError, kv.InvalidSchemaError) as e:
            fail(f"{name}#{i} {d['kind']} (k8s {v})", str(e))

# 3. kustomization
if kustomization:
    kname, k = kustomization
    allowed = {"apiVersion", "kind", "metadata", "namespace", "namePrefix", "nameSuffix", "resources",
               "images", "labels", "commonLabels", "commonAnnotations", "patches", "configMapGenerator",
               "secretGenerator", "generatorOptions", "replicas", "components"}
    for key in k:
        if key not in allowed: fail(kname, f"unknown field {key!r}")
    if k["apiVersion"] != "kustomize.config.k8s.io/v1beta1": fail(kname, "apiVersion must be kustomize.config.k8s.io/v1beta1")
    listed = k.get("resources") or []
    if len(set(listed)) != len(listed): fail(kname, "a resource is listed twice")
    for r in listed:
        if not os.path.isfile(os.path.join(directory, r)): fail(kname, f"resource {r} does not exist")
    for name in sorted({n for n, _, _ in docs}):
        if name not in listed and not name.endswith(".example.yaml"):
            fail(kname, f"{name} is not listed in resources")
    images = {c.get("image", "").rsplit(":", 1)[0] for _, _, d in docs for c in
              (((d.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers", [])}
    for img in k.get("images") or []:
        if img.get("name") not in images: fail(kname, f"images: {img.get('name')!r} matches no container image")

# 4. references and hardening
def named(kind): return {d["metadata"]["name"]: d for _, _, d in docs if d["kind"] == kind}
services, configmaps, secrets = named("Service"), named("ConfigMap"), named("Secret")
workloads = {d["metadata"]["name"]: d for _, _, d in docs if d["kind"] in ("StatefulSet", "Deployment")}
def subset(sel, labels): return bool(sel) and all(labels.get(k) == v for k, v in sel.items())
def pod_labels(w): return w["spec"]["template"].get("metadata", {}).get("labels", {})

for wname, w in workloads.items():
    where, spec = f"{w['kind']}/{wname}", w["spec"]
    pod = spec["template"]["spec"]
    if not subset(spec["selector"].get("matchLabels", {}), pod_labels(w)):
        fail(where, "selector.matchLabels do not match the pod template labels")
    if w["kind"] == "StatefulSet":
        svc = services.get(spec.get("serviceName"))
        if not svc or svc["spec"].get("clusterIP") != "None":
            fail(where, f"serviceName {spec.get('serviceName')!r} is not a headless Service here")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    volumes.update({t["metadata"]["name"]: t for t in spec.get("volumeClaimTemplates", [])})
    for v in pod.get("volumes", []):
        if "configMap" in v and v["configMap"]["name"] not in configmaps: fail(where, f"volume {v['name']}: no ConfigMap {v['configMap']['name']}")
        if "secret" in v and v["secret"]["secretName"] not in secrets: fail(where, f"volume {v['name']}: no Secret {v['secret']['secretName']}")
    psc = pod.get("securityContext", {})
    if not psc.get("runAsNonRoot"): fail(where, "pod securityContext.runAsNonRoot must be true")
    if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault": fail(where, "pod seccompProfile must be RuntimeDefault")
    for c in pod["containers"]:
        cw = f"{where} container {c['name']}"
        ports = {p.get("name") for p in c.get("ports", [])} | {p["containerPort"] for p in c.get("ports", [])}
        for m in c.get("volumeMounts", []):
            if m["name"] not in volumes: fail(cw, f"volumeMount {m['name']} has no volume")
        for e in c.get("envFrom", []):
            ref = e.get("configMapRef") or e.get("secretRef") or {}
            pool = configmaps if "configMapRef" in e else secrets
            if not ref.get("optional") and ref.get("name") not in pool: fail(cw, f"envFrom {ref.get('name')!r} does not exist")
        for e in c.get("env", []):
            ref = (e.get("valueFrom") or {}).get("secretKeyRef") or (e.get("valueFrom") or {}).get("configMapKeyRef")
            if ref and not ref.get("optional") and ref["name"] not in {**secrets, **configmaps}: fail(cw, f"env {e['name']}: {ref['name']} does not exist")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            port = (c.get(probe) or {}).get("httpGet", {}).get("port")
            if port is None: fail(cw, f"{probe} (httpGet) missing")
            elif port not in ports: fail(cw, f"{probe} port {port!r} is not a container port")
        sc = c.get("securityContext", {})
        if not sc.get("readOnlyRootFilesystem"): fail(cw, "readOnlyRootFilesystem must be true")
        if sc.get("allowPrivilegeEscalation") is not False: fail(cw, "allowPrivilegeEscalation must be false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []): fail(cw, "capabilities.drop must include ALL")
        if not c.get("resources", {}).get("requests", {}).get("cpu"): fail(cw, "resources.requests.cpu missing (the HPA needs it)")

for sname, s in services.items():
    sel = s["spec"].get("selector", {})
    targets = [w for w in workloads.values() if subset(sel, pod_labels(w))]
    if not targets: fail(f"Service/{sname}", "selector matches no workload's pods"); continue
    for p in s["spec"].get("ports", []):
        tp = p.get("targetPort", p["port"])
        for w in targets:
            cports = {q.get("name") for c in w["spec"]["template"]["spec"]["containers"] for q in c.get("ports", [])} | \
                     {q["containerPort"] for c in w["spec"]["template"]["spec"]["containers"] for q in c.get("ports", [])}
            if tp not in cports: fail(f"Service/{sname}", f"targetPort {tp!r} is not a port of {w['metadata']['name']}")
for _, _, d in docs:
    where = f"{d['kind']}/{d['metadata']['name']}"
    if d["kind"] == "PodDisruptionBudget" and not any(subset(d["spec"]["selector"].get("matchLabels", {}), pod_labels(w)) for w in workloads.values()):
        fail(where, "selector matches no workload's pods")
    if d["kind"] == "HorizontalPodAutoscaler":
        ref = d["spec"]["scaleTargetRef"]
        if ref["name"] not in workloads or workloads[ref["name"]]["kind"] != ref["kind"]:
            fail(where, f"scaleTargetRef {ref['kind']}/{ref['name']} does not exist here")

resources = len(docs)
if problems:
    for p in problems: print(f"[FAIL] {p}")
    print(f"validate-k8s: FAIL: {len(problems)} problem(s) in {directory}")
    sys.exit(1)
print(f"[ OK ] {resources} resources in {len(files)} files valid (strict schemas, Kubernetes {', '.join(versions)}); "
      f"kustomization and references consistent")
PY
echo "validate-k8s: PASS ($(( $(date +%s) - T0 ))s)"
