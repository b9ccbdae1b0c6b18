/** The files a what-if run writes: {@code summary.json}, {@code customers.csv}, {@code report.html}. */
package dev.loyalty.api.whatif;
