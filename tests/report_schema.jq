# SPDX-License-Identifier: BSD-2-Clause
# tests/report_schema.jq: md2elf -r --json's schema 1 as md2elf(1)
# documents it, as a jq program: prints nothing for a valid report, else
# one line per violation ("PATH: what").  Every object has exactly its
# documented keys, every address is a "0x" hex string, absent values null.

def hex: type == "string" and test("^0x[0-9a-f]+$");
def str: type == "string";
def strnull: . == null or type == "string";
def num: type == "number" and . == floor;
def bool: type == "boolean";
def keys_are($k): (keys | sort) == ($k | sort);
def check($path; cond; $what): if cond then empty else "\($path): \($what)" end;

def frame($p):
	check($p; type == "object" and
	    (keys - ["trap"] | sort) == ["function", "module", "offset", "pc"];
	    "frame keys \(keys? // .)"),
	check($p + ".pc"; .pc | hex; "not an address"),
	check($p + ".function"; .function | strnull; "not a string"),
	check($p + ".offset"; (.offset == null and .function == null) or
	    (.offset | hex); "offset \(.offset)"),
	check($p + ".module"; .module | strnull; "not a string"),
	(if has("trap") then
		(.trap as $t | "\($p).trap" as $q |
		check($q; $t | keys_are(["what", "label", "user", "trapno",
		    "syscall", "signal", "fault_address", "frame", "pc", "sp",
		    "fp"]); "trap keys \($t | keys)"),
		check($q; ($t.what | str) and ($t.label | str) and
		    ($t.user | bool) and ($t.trapno | num) and
		    ($t.syscall | num) and ($t.signal | num) and
		    ($t.fault_address == null or ($t.fault_address | hex)) and
		    ($t.frame | hex) and ($t.pc | hex) and ($t.sp | hex) and
		    ($t.fp | hex); "trap field types \($t)"))
	else empty end);

def backtrace($p):
	if type != "array" then "\($p): not an array"
	else to_entries[] | .key as $i | .value | frame("\($p)[\($i)]") end;

check("."; keys_are(["schema", "host", "version", "panic", "dump_time",
    "arch", "format", "format_version", "osreldate", "fingerprint",
    "crashed", "oncpu", "groups", "processes", "modules", "msgbuf"]);
    "top-level keys \(keys)"),
check(".schema"; .schema == 1; "not 1"),
check(".host"; .host | strnull; "type"),
check(".version"; .version | strnull; "type"),
check(".panic"; .panic | strnull; "type"),
check(".dump_time"; .dump_time == null or (.dump_time |
    test("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC$"));
    "\(.dump_time)"),
check(".arch"; .arch | IN("amd64", "i386", "arm64"); "\(.arch)"),
check(".format"; .format | IN("minidump", "full"); "\(.format)"),
check(".format_version"; if .format == "full" then .format_version == null
    else .format_version | num end; "\(.format_version)"),
check(".osreldate"; .osreldate | num; "type"),
check(".fingerprint"; .fingerprint | type == "object" and
    keys_are(["hash", "panic", "frames"]) and
    (.hash | test("^[0-9a-f]{16}$")) and (.panic | str) and
    (.frames | str); "\(.fingerprint)"),
(if .crashed == null then empty else
	check(".crashed"; .crashed | keys_are(["tid", "pid", "name",
	    "backtrace"]) and (.tid | num) and (.pid | num) and
	    (.name | str); "\(.crashed | del(.backtrace))"),
	(.crashed.backtrace | backtrace(".crashed.backtrace"))
end),
check(".oncpu"; .oncpu | type == "array"; "not an array"),
(.oncpu | to_entries[] | .key as $i | .value |
	check(".oncpu[\($i)]"; keys_are(["tid", "pid", "cpu", "name",
	    "backtrace"]) and (.tid | num) and (.pid | num) and
	    (.cpu | num) and (.name | str); "\(del(.backtrace))"),
	(.backtrace | backtrace(".oncpu[\($i)].backtrace"))),
check(".groups"; .groups | type == "array"; "not an array"),
(.groups | to_entries[] | .key as $i | .value |
	check(".groups[\($i)]"; keys_are(["count", "stack", "tids"]) and
	    (.count | num) and .count >= 1 and (.stack | type == "array") and
	    all(.stack[]; str) and (.tids | type == "array") and
	    all(.tids[]; num) and (.tids | length) == .count; "\(.)")),
check(".processes"; .processes | type == "array"; "not an array"),
(.processes | to_entries[] | .key as $i | .value |
	check(".processes[\($i)]"; keys_are(["pid", "command", "threads"]) and
	    (.pid | num) and (.command | str) and (.threads | num) and
	    .threads >= 1; "\(.)")),
(if .modules == null then empty else
	check(".modules"; .modules | type == "array"; "not an array"),
	(.modules | to_entries[] | .key as $i | .value |
	check(".modules[\($i)]"; keys_are(["id", "address", "size", "name",
	    "path", "file"]) and (.id | num) and (.address | hex) and
	    (.size | hex) and (.name | strnull) and (.path | strnull) and
	    (.file | strnull); "\(.)"))
end),
check(".msgbuf"; .msgbuf | strnull; "type")
