# rimp-client: every command a developer or CI needs. See README.md and CONTRIBUTING.md.
.PHONY: build pack test consumers fuzz demo bench setup clean

build:            ## the npm package into pkg/
	scripts/setup.sh
	scripts/build.sh

pack: build       ## rimp-client-<version>.tgz in the repository root (install it with npm install ./rimp-client-<version>.tgz)
	npm pack ./pkg --pack-destination . --loglevel=error

test:             ## every test (installs what it needs on a fresh Debian machine)
	scripts/test.sh

consumers: pack   ## the consumer matrix alone (one app per bundler/runtime, against rimp-mock)
	cargo build --quiet --release -p rimp-mock
	RIMP_TGZ=$$(ls rimp-client-*.tgz) node --test tests/consumers/run.mjs

fuzz:             ## the property tests at 100,000 cases each (19 properties: 1.9 million cases)
	PROPTEST_CASES=100000 cargo test --release -p rimp-client --test props --test webhook_props

demo:             ## build, start rimp-mock, serve www/, print the URL; Ctrl-C stops
	scripts/demo.sh

bench:            ## size and overhead benchmarks (results under bench/results/)
	scripts/bench.sh

setup:            ## install toolchain pieces only
	scripts/setup.sh --browser

clean:
	rm -rf pkg target/wasm32-unknown-unknown target/features-* target/trap-pkg test-output rimp-client-*.tgz
