# rimp-client: every command a developer or CI needs. See README.md.
.PHONY: build test demo bench setup clean

build:            ## the npm package into pkg/
	scripts/setup.sh
	scripts/build.sh

test:             ## every test (installs what it needs on a fresh Debian machine)
	scripts/test.sh

demo:             ## build, start rimp-mock, serve www/, print the URL; Ctrl-C stops
	scripts/demo.sh

bench:            ## size and overhead benchmarks (results under bench/results/)
	scripts/bench.sh

setup:            ## install toolchain pieces only
	scripts/setup.sh --browser

clean:
	rm -rf pkg target/wasm32-unknown-unknown test-output
