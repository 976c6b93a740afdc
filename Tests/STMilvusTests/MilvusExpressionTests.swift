import Testing
import STMilvus

@Suite struct MilvusExpressionTests {
    @Test func quotesAndOperatorsStayData() throws {
        let expression = try MilvusExpression.equals("id", .string("x\" || id != \"y\\\n"))
        #expect(expression.text == #"id == "x\" || id != \"y\\\n""#)
    }
}
