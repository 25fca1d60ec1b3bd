# SPDX-License-Identifier: Apache-2.0
# Deployment checks. The main Makefile includes this file: include mk/deploy.mk
#   make validate-k8s   offline strict validation of deploy/kubernetes (~1 s; first run installs
#                       kubernetes-validate from PyPI into ~/.cache, ~20 s)
#   make check-image    the Dockerfile's runtime image without Docker: release build into
#                       .build-release, Debian rootfs, run + probes + SIGTERM, hadolint, then a
#                       read-only-root run (root needed; see docs/deploy.md)

DEPLOY_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

.PHONY: check-image validate-k8s

check-image:
	bash $(DEPLOY_ROOT)/scripts/check-image.sh

validate-k8s:
	bash $(DEPLOY_ROOT)/scripts/validate-k8s.sh
