"""Tests of capture_report.py: python3 -m unittest discover -s bench/lib"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import capture_report as cr  # noqa: E402


def row(tool, rep, rate, captured, cpu_seconds, drops=0, offered=None, rss_mib=100, published=None, counted=0, lost=0):
    r = {"tool": tool, "rep": rep, "rate": rate, "seconds": 10, "offered": offered if offered is not None else rate * 10,
         "interface_rx": rate * 10, "load_seconds": 10.0, "window_seconds": 12.0, "loadavg": [2.0 + rep, 1.0, 1.0],
         "rss_peak_kib": rss_mib * 1024, "captured": captured, "kernel_drops": drops, "cpu_seconds": cpu_seconds}
    if tool == cr.AGENT:
        r.update(published=captured - counted if published is None else published, counted_drops=counted, batches_lost=lost,
                 queue_depth_end=0)
    return r


class MakeRowTest(unittest.TestCase):

    def test_deltas_of_the_counters_over_the_window(self):
        r = cr.make_row("agent", 2, 100000, 10, 1000000, 1000001, 10_000_000_000, 12_500_000_000, 100, "3.5 2.0 1.0", 200 * 1024,
                        "500 0 480 20 0 0 1000", "1000500 7 1000473 20 1 0 3000")
        self.assertEqual(r["tool"], cr.AGENT)
        self.assertEqual(r["captured"], 1000000)
        self.assertEqual(r["kernel_drops"], 7)
        self.assertEqual(r["published"], 999993)
        self.assertEqual(r["counted_drops"], 0)
        self.assertEqual(r["batches_lost"], 1)
        self.assertAlmostEqual(r["cpu_seconds"], 20.0)
        self.assertAlmostEqual(r["load_seconds"], 10.0)
        self.assertEqual(r["loadavg"], [3.5, 2.0, 1.0])

    def test_peers_have_no_agent_fields(self):
        r = cr.make_row("tcpdump", 1, 50000, 10, 500000, 500000, 10**10, 10**10, 100, "1 1 1", 1024, "10 0 5", "500010 3 25")
        self.assertEqual((r["captured"], r["kernel_drops"], r["cpu_seconds"]), (500000, 3, 0.2))
        self.assertNotIn("published", r)


class ReportTest(unittest.TestCase):

    def three_runs(self, agent_cpu=(1.0, 1.5, 2.0), pm_cpu=(2.0, 2.0, 2.0)):
        rows = []
        for rep in (1, 2, 3):
            rows.append(row(cr.AGENT, rep, 100000, 1_000_000, agent_cpu[rep - 1]))
            rows.append(row("tcpdump", rep, 100000, 1_000_000, 0.1))
            rows.append(row("pmacctd", rep, 100000, 1_000_000, pm_cpu[rep - 1]))
        return rows

    def test_ratios_are_per_run_then_median(self):
        rows = self.three_runs(agent_cpu=(1.0, 3.0, 1.8), pm_cpu=(2.0, 2.0, 1.0))  # per run: 0.5, 1.5, 1.8 -> median 1.5
        ratios = cr.per_run_ratios(cr.runs_by(rows)[100000], cr.AGENT, "pmacctd", cr.cpu_us_per_packet)
        self.assertEqual(sorted(round(x, 6) for x in ratios), [0.5, 1.5, 1.8])
        text = cr.report(rows, "cmd")
        self.assertIn("| 1.50 |", text)
        self.assertIn("ratio 1.50", text)
        self.assertIn("**missed**", text)

    def test_targets_met(self):
        text = cr.report(self.three_runs(), "bench/capture.sh")
        self.assertIn("(100000 pps): 100.00 %: **met**", text)
        self.assertIn("ratio 0.75, accounted 100 %: **met**", text)
        self.assertIn("peak 100 MiB over all runs: **met**", text)
        self.assertNotIn("missed", text)

    def test_capture_target_uses_the_highest_rate_tcpdump_sustained(self):
        rows = self.three_runs()
        for rep in (1, 2, 3):  # at 400k tcpdump drops: that rate is not the reference
            rows.append(row(cr.AGENT, rep, 400000, 1_000_000, 4.0))
            rows.append(row("tcpdump", rep, 400000, 3_900_000, 0.4, drops=100_000))
        text = cr.report(rows, "cmd")
        self.assertIn("without drops (100000 pps)", text)

    def test_capture_target_missed_below_ninety_percent(self):
        rows = [row(cr.AGENT, 1, 200000, 1_700_000, 3.0, counted=0), row("tcpdump", 1, 200000, 2_000_000, 0.2)]
        self.assertIn("85.00 %: **missed**", cr.report(rows, "cmd"))

    def test_unaccounted_packets_miss_the_cpu_target_even_when_cheaper(self):
        rows = self.three_runs()
        rows[0]["published"] -= 10  # 10 packets neither published nor counted
        text = cr.report(rows, "cmd")
        self.assertIn("accounted NOT 100 %: **missed**", text)
        self.assertIn("99.999 %", text)

    def test_rss_over_the_limit_is_missed(self):
        rows = self.three_runs()
        rows[3]["rss_peak_kib"] = 300 * 1024
        self.assertIn("peak 300 MiB over all runs: **missed**", cr.report(rows, "cmd"))

    def test_load_average_is_reported(self):
        text = cr.report(self.three_runs(), "cmd")
        self.assertIn("median 4.00, min 3.00, max 5.00", text)

    def test_command_line_row_then_report(self):
        script = os.path.join(os.path.dirname(__file__), "capture_report.py")
        with tempfile.TemporaryDirectory() as d:
            runs = os.path.join(d, "runs.jsonl")
            with open(runs, "w") as f:
                for tool, before, after in (("agent", "0 0 0 0 0 0 0", "1000 0 1000 0 0 0 50"), ("tcpdump", "0 0 0", "1000 0 1"),
                                            ("pmacctd", "0 0 0", "1000 0 20")):
                    out = subprocess.run([sys.executable, script, "row", "--tool", tool, "--rep", "1", "--rate", "100", "--seconds", "10",
                                          "--offered", "1000", "--interface-rx", "1000", "--load-ns", "10000000000", "--window-ns",
                                          "11000000000", "--hz", "100", "--loadavg", "1.5 1 1", "--rss-kib", "2048", "--before", before,
                                          "--after", after], check=True, capture_output=True, text=True).stdout
                    json.loads(out)
                    f.write(out)
            text = subprocess.run([sys.executable, script, "report", runs, "--command", "x"], check=True, capture_output=True,
                                  text=True).stdout
        self.assertIn("| 100 | fluxtap-agent | 1 | 1000 | 100.00 % | 0 | 500.00 |", text)
        self.assertIn("ratio 2.50", text)


if __name__ == "__main__":
    unittest.main()
