"""The project's scripts, run from the repository root as modules (`python -m scripts.bench`),
so that one imports another as `scripts.<name>`; the project itself is the installed package
(`make install`), importable from anywhere."""
