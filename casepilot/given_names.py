"""Given names, for finding a patient's name where no cue ("Patient:", "Mr.") precedes it.

A data table, written for this purpose from common given names in the United States and from
the languages its patients speak most (Spanish, Chinese, Vietnamese, Tagalog, Arabic, Korean,
Hindi, Russian, Nigerian English...), in lower case. casepilot/phi.py redacts a capitalised
"Given Surname" pair whose first word is here; a given name alone is never redacted by this
list (Grace, Mark and Will are words too).
"""

GIVEN_NAMES = frozenset(
    """
    aaron abby abdul abdullah abigail abraham ada adam adrian adriana agnes ahmed aidan aiden aisha alan albert
    alberto alejandra alejandro alex alexa alexander alexandra alexis alfred alfredo ali alice alicia alina alison
    allen allison alma alvin amanda amber amelia amina amir amy ana andre andrea andres andrew angel angela angelica
    angelina anita ann anna anne annie anthony antonio april arash archer ariana arianna arjun arlene armando arnold
    arthur arturo asha ashley ashok audrey austin autumn ava avery barbara barry beatriz becky belinda ben benjamin
    bernard bernice beth bethany betty beverly bianca bill billy blake bob bobby bonnie brad bradley brandon brenda
    brent brett brian briana brianna bridget brittany brooke bruce bryan bryce caleb calvin cameron camila candace
    carl carla carlos carmen carol carolina caroline carolyn carrie casey cassandra catherine cecilia cesar chad
    charlene charles charlie charlotte chase chelsea cheryl chloe chris christian christina christine christopher
    cindy claire clara clarence claudia clayton clifford clinton cody colin colleen connie connor constance craig
    crystal curtis cynthia daisy dale dallas dalton damian dan dana daniel daniela danielle danny darius darlene
    darrell darren dave david dawn dean deanna debbie deborah debra deepak delia denise dennis derek derrick desmond
    destiny devin diana diane diego dmitri dolores dominic don donald donna doris dorothy douglas duane dustin dwayne
    dylan earl ebony eddie edgar edith edna eduardo edward edwin eileen elaine eleanor elena eli elijah elisa
    elizabeth ella ellen elliot elsa emily emma enrique eric erica erik erin ernest esperanza esther ethan eugene
    eva evan evelyn faith fatima felicia felix fernando florence frances francis francisco frank franklin fred
    frederick gabriel gabriela gabrielle gail gary gavin gene geoffrey george georgia gerald geraldine gilbert gina
    giovanni gladys glen glenda glenn gloria gordon grace graham grant greg gregory guadalupe guillermo gustavo gwen
    hailey hannah harold harper harry hassan hazel heather hector heidi helen henry herbert herman hilda holly hope
    howard hugo hunter ian igor imani irene iris irma isaac isabel isabella isaiah ivan jack jackie jackson jacob
    jacqueline jade jaime jake james jamie jan jane janet janice jared jasmine jason javier jay jean jeanette
    jeanne jeff jeffery jeffrey jenna jennifer jenny jeremiah jeremy jerome jerry jesse jessica jesus jill jim
    jimmy jin joan joann joanne joe joel johanna john johnny jon jonathan jordan jorge jose joseph josephine josh
    joshua joy joyce juan juanita judith judy julia julian julie julio june justin kaitlyn kamal karen karina karl
    kate katelyn katherine kathleen kathryn kathy katie katrina kay kayla keith kelly kelsey ken kendra kenneth
    kenny kevin khalid kim kimberly kirk krista kristen kristin kristina kurt kyle lacey lakisha lamar lance larry
    latoya laura lauren laurie lawrence leah lee leila lena leo leon leonard leroy leslie lester liam lillian
    lily linda lindsay lindsey lisa logan lois lonnie lora lorena lori lorraine louis louise lucas lucia lucy luis
    luke luz lydia lynn mackenzie madeline madison maggie malik mandy manuel marc marcia marco marcus margaret
    margarita maria mariah marian marie marilyn mario marion marjorie mark marlene marsha marshall martha martin
    marvin mary mason mateo matthew maureen maurice max maxine maya megan melanie melinda melissa melvin mercedes
    meredith mia micheal michael michele michelle miguel mike mildred miles mindy miranda miriam misty mitchell
    mohamed mohammad mohammed molly monica monique morgan muhammad nadia nancy naomi natalia natalie natasha nathan
    nathaniel neil nelson nicholas nicole nina noah noel nora norma norman oleg olga oliver olivia omar oscar owen
    pablo paige pamela patricia patrick patsy paul paula pauline pedro peggy penny peter philip phillip phyllis
    pooja preston priscilla priya rachel rafael rahul raj ralph ramon ramona randall randy raquel raul ray raymond
    rebecca regina reginald renee rhonda ricardo richard rick ricky riley rita rob robert roberta roberto robin
    rodney rodolfo roger roland ronald ronnie rosa rosalie rose rosemary ross roxanne roy ruben ruby russell ruth
    ryan sabrina sadie salvador samantha samir samuel sandra sandy sanjay santiago sara sarah saul savannah scott
    sean sebastian sergei sergio seth shane shannon shari sharon shawn sheila shelby shelly sherri sherry shirley
    sidney silvia simon sofia sonia sophia stacey stacy stanley stella stephanie stephen steve steven sue summer
    sunil susan suzanne sydney sylvia tamara tammy tanya tara tasha taylor ted teresa terrance terrence terri terry
    thelma theodore theresa thomas tiffany timothy tina todd tom tommy toni tony tonya tracey traci tracy travis
    trevor tricia troy tyler tyrone valerie vanessa vernon veronica vicki vickie victor victoria vincent viola
    violet virginia vivian wade walter wanda warren wayne wendy wesley whitney william willie wilma xavier yasmin
    yolanda yvette yvonne zachary zoe
    anh bao binh chen chi dung duc hai hanh hien hoa hong hui hung huong jia jian jun kenji lan li lian ling linh
    mei min minh ming nam ngoc nguyet phuong quan quynh sakura shu tam thanh thao thi thu trang tuan van vy wei
    xiao xin yan yang yi ying yong yu yuki yun zhen zhi
    adebayo adaeze chidi chinedu emeka folake funmilayo ifeoma kwame ngozi nnamdi obinna oluwaseun tunde uche
    ji-hoon ji-woo min-jun seo-yeon soo-jin hyun jae joon sung
    aarav aditi ananya anil arun deepa divya gaurav kavita lakshmi meena neha nikhil rajesh ravi rohan sunita vijay
    ahmad amal farah hamza ibrahim karim layla mariam mustafa nour omar rania salma tariq yousef zainab
    alejo catalina consuelo dolores esteban graciela inés jimena lucía marisol maribel nicolás ximena
    """.split()  # noqa: SIM905 - a data table, one name per word
)
