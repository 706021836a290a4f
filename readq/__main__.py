"""Allow ``python -m readq``."""

from readq.cli import main

if __name__ == "__main__":
    main()
