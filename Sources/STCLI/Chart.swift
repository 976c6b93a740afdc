import Foundation

/// A small chart drawn as SVG or PNG, with the same text in both: overlaid histograms or a curve.
///
/// The PNG draws its text with `ChartFont` (DejaVu Sans rasterized by scripts/make-chart-font.py) at the SVG's
/// positions and sizes: the title (15 px, top centre), the x-range under the axis ends, the axis labels of a curve
/// (the y label rotated -90°, reading bottom to top) and the legend beside its swatches.
package struct Chart {
    enum Content {
        case histograms([(label: String, values: [Double])])
        case curve(points: [(x: Double, y: Double)], xLabel: String, yLabel: String)
    }

    var title: String
    var content: Content
    static let palette: [(Int, Int, Int)] = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75)]

    package static func histograms(title: String, series: [(String, [Double])]) -> Chart {
        Chart(title: title, content: .histograms(series.map { (label: $0.0, values: $0.1) }))
    }

    /// Precision against recall as the threshold goes down the scores.
    package static func precisionRecall(scores: [Double], labels: [Int], function: String = "cosine") -> Chart {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let positives = max(1, labels.filter { $0 == 1 }.count)
        var hits = 0
        var points: [(x: Double, y: Double)] = []
        for (rank, index) in order.enumerated() {
            if labels[index] == 1 { hits += 1 }
            points.append((Double(hits) / Double(positives), Double(hits) / Double(rank + 1)))
        }
        return Chart(title: "Precision-recall (\(function))", content: .curve(points: points, xLabel: "recall", yLabel: "precision"))
    }

    static let width = 640, height = 400, margin = 50, bins = 40

    /// Rectangles (x, y, w, h, color index) and polylines in pixel coordinates, shared by both outputs.
    func shapes() -> (bars: [(Double, Double, Double, Double, Int)], lines: [([(Double, Double)], Int)], xRange: ClosedRange<Double>, legend: [String]) {
        let plotWidth = Double(Self.width - 2 * Self.margin), plotHeight = Double(Self.height - 2 * Self.margin)
        switch content {
        case let .histograms(series):
            let all = series.flatMap(\.values)
            let low = all.min() ?? 0, high = max((all.max() ?? 1), low + 1e-9)
            var counts = series.map { _ in [Int](repeating: 0, count: Self.bins) }
            for (s, item) in series.enumerated() {
                for value in item.values { counts[s][min(Self.bins - 1, Int((value - low) / (high - low) * Double(Self.bins)))] += 1 }
            }
            // Normalized per series so groups of different sizes compare.
            let densities = counts.map { row -> [Double] in let total = Double(max(1, row.reduce(0, +))); return row.map { Double($0) / total } }
            let top = densities.flatMap { $0 }.max() ?? 1
            var bars: [(Double, Double, Double, Double, Int)] = []
            let barWidth = plotWidth / Double(Self.bins)
            for (s, row) in densities.enumerated() {
                for (bin, density) in row.enumerated() where density > 0 {
                    let h = density / top * plotHeight
                    bars.append((Double(Self.margin) + Double(bin) * barWidth, Double(Self.height - Self.margin) - h, barWidth, h, s))
                }
            }
            return (bars, [], low...high, series.map(\.label))
        case let .curve(points, _, _):
            let line = points.map { (Double(Self.margin) + $0.x * plotWidth, Double(Self.height - Self.margin) - $0.y * plotHeight) }
            return ([], [(line, 0)], 0...1, [])
        }
    }

    func write(to path: String) throws {
        let data = path.hasSuffix(".png") ? png() : Data(svg().utf8)
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch { throw CLIError("cannot write \(path)") }
    }

    func svg() -> String {
        let (bars, lines, xRange, legend) = shapes()
        func color(_ index: Int) -> String { let c = Self.palette[index % Self.palette.count]; return "rgb(\(c.0),\(c.1),\(c.2))" }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.width)\" height=\"\(Self.height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"\(Self.width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(title)</text>\n"
        for bar in bars {
            out += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\" fill-opacity=\"0.45\"/>\n", bar.0, bar.1, bar.2, bar.3, color(bar.4))
        }
        for (points, index) in lines {
            out += "<polyline fill=\"none\" stroke=\"\(color(index))\" stroke-width=\"2\" points=\"" + points.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ") + "\"/>\n"
        }
        let bottom = Self.height - Self.margin
        out += "<line x1=\"\(Self.margin)\" y1=\"\(bottom)\" x2=\"\(Self.width - Self.margin)\" y2=\"\(bottom)\" stroke=\"black\"/>\n"
        out += "<line x1=\"\(Self.margin)\" y1=\"\(Self.margin)\" x2=\"\(Self.margin)\" y2=\"\(bottom)\" stroke=\"black\"/>\n"
        out += String(format: "<text x=\"%d\" y=\"%d\">%.2f</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.2f</text>\n",
                      Self.margin, bottom + 16, xRange.lowerBound, Self.width - Self.margin, bottom + 16, xRange.upperBound)
        if case let .curve(_, xLabel, yLabel) = content {
            out += "<text x=\"\(Self.width / 2)\" y=\"\(Self.height - 12)\" text-anchor=\"middle\">\(xLabel)</text>"
            out += "<text x=\"14\" y=\"\(Self.height / 2)\" transform=\"rotate(-90 14 \(Self.height / 2))\" text-anchor=\"middle\">\(yLabel)</text>\n"
        }
        for (index, label) in legend.enumerated() {
            let y = Self.margin + 16 * index
            out += "<rect x=\"\(Self.width - 150)\" y=\"\(y)\" width=\"12\" height=\"12\" fill=\"\(color(index))\"/><text x=\"\(Self.width - 132)\" y=\"\(y + 11)\">\(label)</text>\n"
        }
        return out + "</svg>\n"
    }

    /// The same chart rasterized (RGB, 8 bits) in a PNG with stored (uncompressed) deflate blocks.
    package func png() -> Data {
        let (bars, lines, xRange, legend) = shapes()
        var pixels = [UInt8](repeating: 255, count: Self.width * Self.height * 3)
        func blend(_ x: Int, _ y: Int, _ index: Int, _ alpha: Double) {
            guard x >= 0, y >= 0, x < Self.width, y < Self.height else { return }
            let c = Self.palette[index % Self.palette.count], offset = (y * Self.width + x) * 3
            for (channel, value) in [c.0, c.1, c.2].enumerated() {
                pixels[offset + channel] = UInt8(Double(pixels[offset + channel]) * (1 - alpha) + Double(value) * alpha)
            }
        }
        for bar in bars {
            for y in Int(bar.1)..<Int(bar.1 + bar.3) { for x in Int(bar.0)..<Int(bar.0 + bar.2) { blend(x, y, bar.4, 0.45) } }
        }
        for (points, index) in lines {
            for (a, b) in zip(points, points.dropFirst()) {
                let steps = max(1, Int(max(abs(b.0 - a.0), abs(b.1 - a.1))))
                for step in 0...steps {
                    let t = Double(step) / Double(steps)
                    for dx in -1...1 { for dy in -1...1 { blend(Int(a.0 + (b.0 - a.0) * t) + dx, Int(a.1 + (b.1 - a.1) * t) + dy, index, 1) } }
                }
            }
        }
        for x in Self.margin..<(Self.width - Self.margin) { for c in 0..<3 { pixels[((Self.height - Self.margin) * Self.width + x) * 3 + c] = 0 } }
        for y in Self.margin..<(Self.height - Self.margin) { for c in 0..<3 { pixels[(y * Self.width + Self.margin) * 3 + c] = 0 } }
        for index in legend.indices {
            for y in (Self.margin + 16 * index)..<(Self.margin + 16 * index + 12) { for x in (Self.width - 150)..<(Self.width - 138) { blend(x, y, index, 1) } }
        }
        // The text of svg(), at its positions.
        let bottom = Self.height - Self.margin
        Self.drawText(title, x: Self.width / 2, y: 24, anchor: .middle, font: .title, into: &pixels)
        Self.drawText(String(format: "%.2f", xRange.lowerBound), x: Self.margin, y: bottom + 16, anchor: .start, font: .label, into: &pixels)
        Self.drawText(String(format: "%.2f", xRange.upperBound), x: Self.width - Self.margin, y: bottom + 16, anchor: .end, font: .label, into: &pixels)
        if case let .curve(_, xLabel, yLabel) = content {
            Self.drawText(xLabel, x: Self.width / 2, y: Self.height - 12, anchor: .middle, font: .label, into: &pixels)
            Self.drawText(yLabel, x: 14, y: Self.height / 2, anchor: .middle, font: .label, vertical: true, into: &pixels)
        }
        for (index, label) in legend.enumerated() {
            Self.drawText(label, x: Self.width - 132, y: Self.margin + 16 * index + 11, anchor: .start, font: .label, into: &pixels)
        }
        var raw = [UInt8]()
        raw.reserveCapacity((Self.width * 3 + 1) * Self.height)
        for y in 0..<Self.height {
            raw.append(0)
            raw += pixels[(y * Self.width * 3)..<((y + 1) * Self.width * 3)]
        }
        return PNGEncoder.encode(width: Self.width, height: Self.height, scanlines: raw)
    }

    /// Where a string stands relative to its x, as SVG's `text-anchor`.
    enum TextAnchor { case start, middle, end }

    /// Blends black text into an RGB buffer of `width` x `height`, with the glyphs' coverage as alpha.
    ///
    /// The baseline runs through (x, y), the string starting at x (`.start`), centred on it (`.middle`) or ending at
    /// it (`.end`). `vertical` turns it as SVG's `rotate(-90 x y)`: it reads bottom to top, the glyphs' tops to the
    /// left. Pixels outside the buffer are skipped.
    static func drawText(_ text: String, x: Int, y: Int, anchor: TextAnchor, font: ChartFont, vertical: Bool = false,
                         into pixels: inout [UInt8]) {
        precondition(pixels.count == width * height * 3, "an RGB buffer of the chart's size")
        let length = font.width(of: text)
        // An odd length centres half a pixel to the left, as Pillow's anchor "ms" does.
        var pen = anchor == .start ? 0 : anchor == .middle ? -(length + 1) / 2 : -length
        for scalar in text.unicodeScalars {
            let glyph = font.glyph(scalar)
            for row in 0..<glyph.height {
                for column in 0..<glyph.width {
                    let alpha = Int(font.coverage[glyph.offset + row * glyph.width + column])
                    if alpha == 0 { continue }
                    // u along the text from the anchor, v below the baseline; turned, u goes up and v right.
                    let u = pen + glyph.left + column, v = glyph.top + row
                    let (px, py) = vertical ? (x + v, y - 1 - u) : (x + u, y + v)
                    guard px >= 0, py >= 0, px < width, py < height else { continue }
                    let offset = (py * width + px) * 3
                    for channel in offset..<(offset + 3) { pixels[channel] = UInt8((Int(pixels[channel]) * (255 - alpha) + 127) / 255) }
                }
            }
            pen += glyph.advance
        }
    }
}

/// The smallest valid PNG writer: IHDR, one IDAT of zlib "stored" blocks, IEND, with CRC-32 and Adler-32.
enum PNGEncoder {
    static func encode(width: Int, height: Int, scanlines: [UInt8]) -> Data {
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        while offset < scanlines.count || offset == 0 {
            let length = min(65535, scanlines.count - offset)
            let final: UInt8 = offset + length >= scanlines.count ? 1 : 0
            zlib += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += scanlines[offset..<(offset + length)]
            offset += length
            if length == 0 { break }
        }
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in scanlines { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        zlib += bigEndian(b << 16 | a)
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        data += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        data += chunk("IDAT", zlib)
        data += chunk("IEND", [])
        return data
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }

    static func chunk(_ type: String, _ payload: [UInt8]) -> Data {
        let body = Array(type.utf8) + payload
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return Data(bigEndian(UInt32(payload.count)) + body + bigEndian(~crc))
    }
}
