//! Independent readers of what the app exports, for the tests: ISO's camt.053 schemas with
//! xmllint, and Python's XML parser and OFX parsers (ofxparse, ofxtools) from the environment
//! `scripts/test` makes.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where ISO 20022's camt.053.001.`version` schema is: `scripts/test` fetches the schemas from
/// a package registry into the folder CAMT053_XSD_DIR names.
pub fn camt053_xsd(version: &str) -> PathBuf {
    let dir = std::env::var_os("CAMT053_XSD_DIR").map(PathBuf::from).expect(
        "CAMT053_XSD_DIR names the folder of ISO's camt.053 schemas: run the tests through scripts/test, which fetches them",
    );
    let path = dir.join(format!("camt.053.001.{version}.xsd"));
    assert!(path.is_file(), "{} is not there", path.display());
    path
}

/// Validates `file` against camt.053.001.`version` with xmllint, ISO's schema in hand.
pub fn assert_valid_camt(file: &std::path::Path, version: &str) {
    let xsd = camt053_xsd(version);
    let lint = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(file)
        .output()
        .expect("xmllint (libxml2-utils) runs");
    assert!(
        lint.status.success(),
        "{} against {}: {}",
        file.display(),
        xsd.display(),
        String::from_utf8_lossy(&lint.stderr)
    );
}

/// Reads a camt.053 document with Python's XML parser, independent of ours: each booked
/// entry's signed cents by its servicer reference (Qonto's id without dashes).
pub fn python_camt(file: &std::path::Path) -> BTreeMap<String, i64> {
    let script = "import sys, json\n\
        from decimal import Decimal\n\
        import xml.etree.ElementTree as ET\n\
        root = ET.parse(sys.argv[1]).getroot()\n\
        ns = {'c': root.tag[1:].split('}')[0]}\n\
        out = {}\n\
        for e in root.iterfind('.//c:Ntry', ns):\n\
        \x20   status = ''.join(e.find('c:Sts', ns).itertext()).strip()\n\
        \x20   if status != 'BOOK':\n\
        \x20       continue\n\
        \x20   cents = int(Decimal(e.find('c:Amt', ns).text) * 100)\n\
        \x20   if e.find('c:CdtDbtInd', ns).text == 'DBIT':\n\
        \x20       cents = -cents\n\
        \x20   out[e.find('c:AcctSvcrRef', ns).text] = cents\n\
        print(json.dumps(out))\n";
    python_json(script, file)
}

/// Reads the OFX file with a Python OFX parser (`ofxparse`, as Odoo imports, or `ofxtools`),
/// from the environment `scripts/test` makes (EXPORT_PYTHON), and gives each FITID's cents.
pub fn python_ofx(parser: &str, file: &std::path::Path) -> BTreeMap<String, i64> {
    let script = match parser {
        "ofxparse" => {
            "import sys, json\n\
             from ofxparse import OfxParser\n\
             ofx = OfxParser.parse(open(sys.argv[1], 'rb'))\n\
             print(json.dumps({t.id: int(t.amount * 100) for a in ofx.accounts for t in a.statement.transactions}))\n"
        }
        _ => {
            "import sys, json\n\
             from ofxtools.Parser import OFXTree\n\
             tree = OFXTree()\n\
             tree.parse(sys.argv[1])\n\
             ofx = tree.convert()\n\
             print(json.dumps({t.fitid: int(t.trnamt * 100) for s in ofx.statements for t in s.transactions}))\n"
        }
    };
    python_json(script, file)
}

/// Runs `script` on `file` with the Python `scripts/test` makes (EXPORT_PYTHON, which has the
/// OFX parsers), and reads the JSON object it prints.
pub fn python_json<T: serde::de::DeserializeOwned>(script: &str, file: &std::path::Path) -> T {
    let python = std::env::var_os("EXPORT_PYTHON").expect(
        "EXPORT_PYTHON names a Python with ofxparse and ofxtools: run the tests through scripts/test",
    );
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .expect("Python runs");
    assert!(
        out.status.success(),
        "reading {}: {}\n{script}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
