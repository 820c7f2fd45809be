"""`python -m synthetic --customers N --seed S --format csv|parquet --out DIR`: write a synthetic delivery."""

from synthetic.generator import main

if __name__ == "__main__":
    main()
