import Foundation
import STCLI
import Testing

/// The PNG charts carry the SVG's text: each chart is rendered, its PNG decoded back, and the text looked for where
/// svg() puts it (title at (320, 24) centred, x-range at (50, 366) and (590, 366), x label at (320, 388), y label
/// turned about (14, 200), legend at (508, 61 + 16 i)). Ink is grey-to-black: the bars and curves are coloured.
@Suite struct ChartPNGTests {
    /// 8-bit RGB pixels of a PNG as `Chart.png()` writes it: one IDAT of zlib stored blocks, filter 0 on every row.
    static func decode(_ png: Data) throws -> (width: Int, height: Int, rgb: [UInt8]) {
        let bytes = [UInt8](png)
        func uint32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        try #require(bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var width = 0, height = 0, zlib: [UInt8] = [], at = 8
        while at + 12 <= bytes.count {
            let length = uint32(at), type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            let payload = Array(bytes[(at + 8)..<(at + 8 + length)])
            if type == "IHDR" {
                (width, height) = (uint32(at + 8), uint32(at + 12))
                try #require(payload[8] == 8 && payload[9] == 2, "8-bit RGB")
            }
            if type == "IDAT" { zlib += payload }
            at += 12 + length
        }
        // Stored blocks only: a whole header byte (BFINAL, BTYPE 00), LEN, NLEN (little-endian), LEN bytes.
        var inflated: [UInt8] = [], position = 2, final = false
        while !final {
            let header = zlib[position]
            try #require(header >> 1 & 3 == 0, "a stored block")
            final = header & 1 == 1
            let length = Int(zlib[position + 1]) | Int(zlib[position + 2]) << 8
            try #require(length == ~(Int(zlib[position + 3]) | Int(zlib[position + 4]) << 8) & 0xFFFF, "NLEN is ~LEN")
            inflated += zlib[(position + 5)..<(position + 5 + length)]
            position += 5 + length
        }
        let stride = width * 3 + 1
        try #require(inflated.count == stride * height)
        var rgb: [UInt8] = []
        for start in Swift.stride(from: 0, to: inflated.count, by: stride) {
            try #require(inflated[start] == 0, "filter 0")
            rgb += inflated[(start + 1)..<(start + stride)]
        }
        return (width, height, rgb)
    }

    /// The text pixels (grey to black, darker than 200) of a chart's PNG inside a box, as (x, y).
    static func ink(_ chart: Chart, x xs: Range<Int>, y ys: Range<Int>) throws -> [(x: Int, y: Int)] {
        let (width, _, rgb) = try decode(chart.png())
        var found: [(x: Int, y: Int)] = []
        for y in ys {
            for x in xs {
                let pixel = rgb[((y * width + x) * 3)..<((y * width + x) * 3 + 3)]
                if pixel.max()! < 200 && pixel.max()! - pixel.min()! < 8 { found.append((x, y)) }
            }
        }
        return found
    }

    static let series = [("gold 0\u{2013}1", [0.0, 0.05]), ("gold 1\u{2013}2", [1.0])]

    @Test func titleIsCentredAtTheTopAndAbsentWhenEmpty() throws {
        let title = "Cosine similarity by gold score"
        let ink = try Self.ink(Chart.histograms(title: title, series: Self.series), x: 0..<640, y: 0..<45)
        let xs = ink.map(\.x), ys = ink.map(\.y)
        try #require(!ink.isEmpty)
        // 15 px DejaVu Sans on the baseline y = 24: capitals rise 11 px, descenders ('y', 'g') drop 3 px.
        #expect(ys.min()! >= 24 - ChartFont.title.ascent && ys.max()! < 24 + ChartFont.title.descent, "\(ys.min()!)...\(ys.max()!)")
        let length = ChartFont.title.width(of: title)
        #expect(abs((xs.min()! + xs.max()!) / 2 - 320) <= 2, "centred on x = 320: \(xs.min()!)...\(xs.max()!)")
        #expect(abs(xs.max()! - xs.min()! + 1 - length) <= 3, "as wide as measured (\(length))")
        #expect(try Self.ink(Chart.histograms(title: "", series: Self.series), x: 0..<640, y: 0..<45).isEmpty)
    }

    @Test func curveHasRangeAndAxisLabelsTheYLabelReadingUpwards() throws {
        let chart = Chart.precisionRecall(scores: [0.9, 0.8, 0.7, 0.6], labels: [1, 0, 1, 0])
        // "0.00" starts at x = 50 and "1.00" ends at x = 590, on the baseline y = 366.
        let low = try Self.ink(chart, x: 40..<140, y: 352..<372), high = try Self.ink(chart, x: 500..<600, y: 352..<372)
        try #require(!low.isEmpty && !high.isEmpty)
        #expect((50...52).contains(low.map(\.x).min()!) && (587...590).contains(high.map(\.x).max()!))
        #expect(low.map(\.y).max()! < 366 && high.map(\.y).max()! < 366, "digits sit on the baseline")
        // "recall" centred under the plot, on the baseline y = 388.
        let xLabel = try Self.ink(chart, x: 0..<640, y: 372..<400)
        try #require(!xLabel.isEmpty)
        #expect(abs((xLabel.map(\.x).min()! + xLabel.map(\.x).max()!) / 2 - 320) <= 2)
        // "precision" turned -90° about (14, 200): a column left of the axis, centred on y = 200, as tall as the word
        // is wide; it reads upwards, so the descender of its first letter 'p' (right of the baseline x = 14) is low.
        let yLabel = try Self.ink(chart, x: 0..<45, y: 50..<350)
        try #require(!yLabel.isEmpty)
        let xs = yLabel.map(\.x), ys = yLabel.map(\.y), length = ChartFont.label.width(of: "precision")
        #expect(xs.max()! - xs.min()! < ys.max()! - ys.min()!, "taller than wide")
        #expect(abs((ys.min()! + ys.max()!) / 2 - 200) <= 2 && abs(ys.max()! - ys.min()! + 1 - length) <= 3)
        #expect(xs.min()! >= 14 - ChartFont.label.ascent && xs.max()! < 14 + ChartFont.label.descent)
        let descender = yLabel.filter { $0.x >= 16 }
        #expect(!descender.isEmpty && descender.allSatisfy { $0.y > 200 + length / 3 }, "the 'p' at the bottom")
    }

    @Test func legendLabelsStandBesideTheirSwatches() throws {
        let chart = Chart.histograms(title: "", series: Self.series)
        for row in 0..<2 {
            let label = try Self.ink(chart, x: 500..<570, y: (50 + 16 * row)..<(66 + 16 * row))
            try #require(!label.isEmpty, "legend row \(row)")
            let (xs, ys, baseline) = (label.map(\.x), label.map(\.y), 61 + 16 * row)
            #expect((508...510).contains(xs.min()!), "starts at x = 508: \(xs.min()!)")
            #expect(ys.min()! >= baseline - ChartFont.label.ascent && ys.max()! < baseline + ChartFont.label.descent)
            #expect(ys.contains(baseline + 1), "the descender of 'g' below the baseline")
        }
        #expect(try Self.ink(chart, x: 500..<570, y: 82..<98).isEmpty, "two series, two labels")
    }

    @Test func measuredWidthGrowsWithTheTextAndUnknownCharactersAreQuestionMarks() {
        let font = ChartFont.label
        #expect(font.width(of: "") == 0)
        #expect(font.width(of: "r") < font.width(of: "re") && font.width(of: "re") < font.width(of: "recall"))
        #expect(font.width(of: "recall recall") > 2 * font.width(of: "recall"))
        #expect(ChartFont.title.width(of: "recall") > font.width(of: "recall"))
        #expect(font.width(of: "é😀") == 2 * font.width(of: "?"))
        #expect(font.width(of: "\u{2013}") > 0)
    }
}
