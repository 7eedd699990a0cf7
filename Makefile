# LatticeKit: the two commands a new user types are `make demo` and `make test`.
# Both install what is missing first (Debian packages, pinned Python test tools).

SWIFT        ?= swift
PYTHON       ?= python3
STRICT       := -Xswiftc -warnings-as-errors
# Release builds as shipped: Swift runtime and Foundation linked in, packed relocations
# (scripts/release-flags.sh says why; the benchmark scripts use the same flags).
RELEASE      := $(shell SWIFT=$(SWIFT) sh scripts/release-flags.sh)
PREFIX       ?= /usr/local
APT_PACKAGES := libcurl4-openssl-dev libssl-dev pkg-config
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test demo deps build cli check-cli install bench check-scripts generate fuzz docs clean help

help:
	@echo "make demo   - build and run the demo"
	@echo "make test   - install what is missing, build with warnings as errors, run every check"
	@echo "make cli    - the lattice CLI, release build, Swift runtime linked in: .build/release/lattice"
	@echo "make install - make cli, then copy lattice to $(PREFIX)/bin"
	@echo "make bench  - release build of lattice-bench and botocore, side by side"
	@echo "make generate - regenerate Codegen/Model from botocore, then Sources/LatticeKit/Generated and Sources/lattice/Generated from it"
	@echo "make docs   - the DocC documentation of SigV4, LatticeKit and LatticeKitTesting, warnings as errors: .build/docs/*.doccarchive"
	@echo "make fuzz   - libFuzzer targets (JSON reader, response decoder, shared config), a fixed number of inputs each"

## deps: the C libraries (apt) and the pinned Python oracles (pip), only when missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@$(PYTHON) scripts/check-python-deps.py Tests/requirements.txt || \
	  $(PYTHON) -m pip install -q --disable-pip-version-check -r Tests/requirements.txt

## build: every target, warnings as errors (library, tests, tools).
build: deps
	$(SWIFT) build --build-tests $(STRICT)

## test: everything the project checks.
test: build check-scripts
	$(SWIFT) test --skip-build $(STRICT)
	@for m in SigV4 LatticeKit LatticeKitTesting; do $(PYTHON) scripts/undocumented.py $$m || exit 1; done
	@$(PYTHON) scripts/api-listing.py --check
	@./.build/debug/seed-topology --demo --identity-policy Examples/iam-policy.json > /tmp/latticekit-demo.log || { cat /tmp/latticekit-demo.log; exit 1; }
	@grep -q "nothing is left" /tmp/latticekit-demo.log && echo "seed-topology --demo: created, checked and destroyed the topology under Examples/iam-policy.json; nothing is left"
	@./.build/debug/topology-demo Examples/topologies/seed.json > /tmp/latticekit-topology-demo.log 2>&1 || { cat /tmp/latticekit-topology-demo.log; exit 1; }
	@grep -q "Plan: 8 to create." /tmp/latticekit-topology-demo.log && \
	  grep -q "No changes. The live state matches the topology 'seed'." /tmp/latticekit-topology-demo.log && \
	  grep -q 'config.healthCheck.path: "/" -> "/health"' /tmp/latticekit-topology-demo.log && \
	  grep -q "drift repaired: the live state matches the topology again" /tmp/latticekit-topology-demo.log && \
	  grep -q "left: 0 service networks, 0 services, 0 target groups" /tmp/latticekit-topology-demo.log && \
	  echo "topology-demo: Examples/topologies/seed.json applied, planned again without changes, drift repaired, destroyed" || \
	  { cat /tmp/latticekit-topology-demo.log; exit 1; }
	@LATTICE=.build/debug/lattice LOCAL_LATTICE=.build/debug/local-lattice bash Examples/ecs-deploy-guide.sh > /tmp/latticekit-ecs.log 2>&1 || { cat /tmp/latticekit-ecs.log; exit 1; }
	@grep -q "left: 0 service networks, 0 services, 0 target groups" /tmp/latticekit-ecs.log && \
	  grep -q "An error occurred (AccessDeniedException) when calling the PutAuthPolicy operation" /tmp/latticekit-ecs.log && \
	  grep -q "vpc-lattice:PutAuthPolicy" /tmp/latticekit-ecs.log && \
	  echo "Examples/ecs-deploy-guide.sh: the ECS guide's flow through the lattice CLI under Examples/iam-policy.json, cleaned up" || \
	  { cat /tmp/latticekit-ecs.log; exit 1; }
	@WAIT=sleep SLEEP_SECONDS=0.3 SETTLE_SECONDS=0.2 LATTICE=.build/debug/lattice LOCAL_LATTICE=.build/debug/local-lattice \
	  bash Examples/ecs-deploy-guide.sh > /tmp/latticekit-ecs-sleep.log 2>&1 || { cat /tmp/latticekit-ecs-sleep.log; exit 1; }
	@grep -q "left: 0 service networks, 0 services, 0 target groups" /tmp/latticekit-ecs-sleep.log && \
	  echo "Examples/ecs-deploy-guide.sh with WAIT=sleep: the same flow sleeping 0.3 s instead of polling, on a local Lattice that settles in 0.2 s" || \
	  { cat /tmp/latticekit-ecs-sleep.log; exit 1; }
	@$(MAKE) -s check-cli
	@$(MAKE) -s docs
	@$(MAKE) -s fuzz

## docs: the DocC catalogs (Sources/*/*.docc) and every public declaration's doc comment,
## built with swift-docc-plugin; a broken symbol link or any other warning fails it.
DOC_TARGETS := SigV4 LatticeKit LatticeKitTesting
docs:
	@mkdir -p .build/docs
	@for t in $(DOC_TARGETS); do \
	  out=$$($(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --target $$t \
	    --warnings-as-errors --output-path .build/docs/$$t.doccarchive 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "make docs: $$t -> .build/docs/$$t.doccarchive"; \
	done

## check-cli: the shipped lattice binary builds, carries the Swift runtime, and runs.
check-cli: cli
	@! ldd .build/release/lattice | grep -E "libswift|libFoundation" || { echo "lattice links the Swift runtime dynamically"; exit 1; }
	@AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example-secret AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	  ./.build/release/lattice get-service --service-identifier svc-0123456789abcdef0 --region us-east-1 --dry-run \
	  | grep -q '"url" *: *"https://vpc-lattice.us-east-1.amazonaws.com/services/svc-0123456789abcdef0"' \
	  && echo "make cli: .build/release/lattice is self-contained and signs a request"

## check-scripts: the Python helpers compile, generated files match their generators, and the
## generator's tests pass (the documentation converter on every documentation string of the model).
check-scripts:
	@$(PYTHON) -m py_compile Tests/Oracles/*.py Tests/Support/*.py Benchmarks/*.py scripts/*.py
	@$(PYTHON) scripts/generate-endpoint-data.py --check
	@$(PYTHON) scripts/trim-model.py --check
	@$(PYTHON) scripts/iam-policy.py --check
	@$(SWIFT) run --package-path Codegen -c release lattice-codegen Codegen/Model Sources/LatticeKit/Generated Sources/lattice/Generated --check
	@out=$$($(SWIFT) test --package-path Codegen 2>&1) || { echo "$$out"; exit 1; }; echo "Codegen: $$(echo "$$out" | tail -1)"
	@$(PYTHON) scripts/east-asian-width.py --check
	@$(PYTHON) scripts/readme-snippets.py --check

## fuzz: the libFuzzer targets of Tests/Fuzz, built instrumented in .build-fuzz (apart from the
## normal build), each run for a fixed number of inputs from its seed corpus with a fixed seed.
fuzz: deps
	@SWIFT=$(SWIFT) sh scripts/fuzz.sh

## generate: the trimmed model from botocore, then Sources/LatticeKit/Generated (with the model's
## documentation as doc comments) and the CLI's tables in Sources/lattice/Generated from the model.
generate:
	$(PYTHON) scripts/trim-model.py
	$(PYTHON) scripts/generate-endpoint-data.py
	$(SWIFT) run --package-path Codegen -c release lattice-codegen Codegen/Model Sources/LatticeKit/Generated Sources/lattice/Generated
	$(PYTHON) scripts/east-asian-width.py

## demo: the first seed topology on the embedded local Lattice: create, wait, register
## targets, list them, destroy, and prove nothing is left.
demo: deps
	$(SWIFT) run seed-topology --demo
	$(SWIFT) run topology-demo Examples/topologies/seed.json

## cli: the lattice command, as shipped (release, Swift runtime and Foundation linked in).
cli: deps
	$(SWIFT) build $(RELEASE) --product lattice
	@echo "built .build/release/lattice ($$(./.build/release/lattice --version))"

install: cli
	install -d $(PREFIX)/bin
	install -m 755 .build/release/lattice $(PREFIX)/bin/lattice

## bench: lattice-bench (release) next to botocore, curl and boto3, with the ratios.
## The signing figures come from lattice-bench alone; client.* runs against nginx on
## 127.0.0.1 (Benchmarks/list-services.sh).
bench: deps
	@command -v nginx >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx >/dev/null; }
	@$(PYTHON) scripts/check-python-deps.py Benchmarks/requirements.txt || \
	  $(PYTHON) -m pip install -q --disable-pip-version-check -r Benchmarks/requirements.txt
	$(SWIFT) build $(RELEASE) --product lattice-bench
	@./.build/release/lattice-bench --filter sigv4 | tee /tmp/lattice-bench.jsonl
	@$(PYTHON) Benchmarks/botocore_sign.py | tee -a /tmp/lattice-bench.jsonl
	@$(PYTHON) Benchmarks/compare.py /tmp/lattice-bench.jsonl
	@bash Benchmarks/list-services.sh
	@bash Benchmarks/cli-cold-start.sh

clean:
	rm -rf .build .build-fuzz
